"""Composition root of the payment service: settings -> keys, providers, units of work, servicer, HTTP routes,
jobs. Nothing else constructs an adapter; every collaborator can be injected (tests, benchmarks)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from lienthong.payment.v1 import payment_pb2, payment_pb2_grpc
from lienthong_runtime.auth import TokenVerifier
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.config import secret_value
from lienthong_runtime.crypto import Keyring, UnsealingBus
from lienthong_runtime.db import create_engine, is_sqlite, session_factory
from lienthong_runtime.events import OutboxRelay
from lienthong_runtime.keys_at_rest import load_keys_at_rest
from lienthong_runtime.pg_pool import PgPool
from lienthong_runtime.resources import open_resources
from lienthong_runtime.server import ServiceApp

from .adapters.crypto import DEV_KEY_FILE
from .adapters.http_routes import notification_routes
from .adapters.pg_uow import AsyncpgPaymentUnitOfWork
from .adapters.sandbox import SandboxProvider
from .adapters.tables import outbox
from .adapters.uow import SqlPaymentUnitOfWork
from .adapters.vnpay import VnpayProvider
from .config import Settings
from .domain.providers import PaymentProvider
from .grpc_api import PaymentService
from .handlers.expiry import ExpiryJob
from .handlers.notifications import NotificationIntake
from .handlers.ports import PaymentUnitOfWork, Policy, Services
from .handlers.resolve import StuckPaymentJob

SERVICE_NAME = payment_pb2.DESCRIPTOR.services_by_name["PaymentService"].full_name


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


def build_providers(settings: Settings) -> dict[str, PaymentProvider]:
    providers: dict[str, PaymentProvider] = {}
    if settings.sandbox_on():
        providers["sandbox"] = SandboxProvider(
            secret=secret_value(settings.sandbox_secret) or secrets.token_hex(32),
            public_url=settings.public_url(),
            notify_delay=settings.sandbox_notify_delay_seconds,
        )
    hash_secret = secret_value(settings.vnpay_hash_secret)
    if settings.vnpay_tmn_code and hash_secret:
        providers["vnpay"] = VnpayProvider(
            tmn_code=settings.vnpay_tmn_code,
            hash_secret=hash_secret,
            pay_url=settings.vnpay_pay_url,
            redirect_lifetime=timedelta(minutes=settings.vnpay_redirect_minutes),
            return_url=f"{settings.public_url()}/payment/v1/returns/vnpay",
            api_url=settings.vnpay_api_url,
        )
    return providers


def coalesced(wake: Callable[[], None], window: float) -> Callable[[], None]:
    """``wake`` at most once per ``window`` seconds, ``window`` after the first request.

    Waking the outbox relay after every committed event made it run a pass (its own transaction, advisory
    lock, select, delete) for every two or three payments under load; measured in-process at concurrency 32
    that was ~250-350 us of CPU per payment. Coalesced, a pass publishes every event of the window, and an
    event still goes out within ``window`` plus one pass (the relay's own poll interval is 0.2 s)."""
    pending = False

    def fire() -> None:
        nonlocal pending
        pending = False
        wake()

    def request() -> None:
        nonlocal pending
        if not pending:
            pending = True
            asyncio.get_running_loop().call_later(window, fire)

    return request


@dataclass
class Assembly:
    """The wired service, with the parts tests, benchmarks and operator commands drive directly."""

    app: ServiceApp
    #: A fresh unit of work (one per caller) on the service's database.
    uow: Callable[[], PaymentUnitOfWork]
    services: Services
    intake: NotificationIntake
    providers: dict[str, PaymentProvider]
    keyring: Keyring
    #: The SQLAlchemy engine (migrations, the outbox relay; every call on SQLite).
    engine: AsyncEngine
    #: On PostgreSQL, the asyncpg pool of the unit of work (``adapters/pg_uow.py``).
    pg: PgPool | None = None


async def build(settings: Settings, **collaborators: Any) -> ServiceApp:
    """The payment service (``lienthong serve payment``, ``lienthong dev``); ``collaborators`` as for
    :func:`assemble`."""
    return (await assemble(settings, **collaborators)).app


def pool_split(size: int) -> tuple[int, int]:
    """``database_pool_size`` split between the SQLAlchemy engine and the asyncpg pool of the hot path; their sum
    is the most PostgreSQL connections one payment process opens."""
    engine = max(2, size // 5)
    return engine, max(1, size - engine)


def policy_of(settings: Settings) -> Policy:
    return Policy(
        max_amount_vnd=settings.max_amount_vnd,
        lifetime=timedelta(minutes=settings.payment_lifetime_minutes),
        default_provider=settings.default_provider,
        allow_http_localhost=settings.allow_http_localhost_return_url or settings.dev_mode,
    )


async def assemble(
    settings: Settings,
    *,
    verifier: TokenVerifier | None = None,
    keyring: Keyring | None = None,
    providers: dict[str, PaymentProvider] | None = None,
    clock: Callable[[], datetime] | None = None,
    uow_factory: Callable[[], PaymentUnitOfWork] | None = None,
) -> Assembly:
    """Wire everything; every collaborator can be injected. ``verifier`` replaces identity's JWKS verifier
    (tests, benchmarks); ``uow_factory`` replaces the database unit of work."""
    # Before anything opens: production refuses to start without keys.
    keyring = keyring or load_keys_at_rest(settings, keyring_file=DEV_KEY_FILE).keyring
    resources = open_resources(settings, verifier=verifier)
    hot: PgPool | None = None
    if not is_sqlite(settings.database_url):
        # Every call runs on asyncpg (adapters/pg_uow.py); the engine serves the outbox relay. Together they
        # stay within database_pool_size connections.
        engine_size, hot_size = pool_split(settings.database_pool_size)
        hot = PgPool(settings.database_url, hot_size)
        # The engine's settings, measured on the create/start/notify path when it still ran there:
        # * a fixed pool: the runtime's default closes overflow connections on return, so steady concurrency
        #   above the pool kept paying for new connections;
        # * no pre-ping: on asyncpg it is BEGIN + ";" + ROLLBACK, three round trips before every transaction.
        #   After a database restart one call per stale connection fails and SQLAlchemy then replaces the
        #   whole pool; callers retry with their idempotency key.
        # The runtime's engine has opened no connection yet, so swapping it costs nothing.
        resources.engine = create_engine(
            settings.database_url, pool_size=engine_size, max_overflow=0, pool_pre_ping=False
        )
        resources.sessions = session_factory(resources.engine)
    if uow_factory is None:
        pool, sessions, ring = hot, resources.sessions, keyring
        uow_factory = (
            (lambda: AsyncpgPaymentUnitOfWork(pool, ring))
            if pool is not None
            else (lambda: SqlPaymentUnitOfWork(sessions, ring))
        )
    # Payment events carry the payer's e-mail (for receipts): rows are stored sealed, unsealed just before
    # publishing, and deleted once published.
    relay = OutboxRelay(
        resources.sessions,
        outbox,
        UnsealingBus(resources.bus, keyring),
        delete_published=True,
        service="payment",
    )
    providers = build_providers(settings) if providers is None else providers
    services = Services(
        providers,
        policy_of(settings),
        **({"clock": clock} if clock else {}),
        wake=coalesced(relay.wake, 0.05),
    )
    intake = NotificationIntake(uow_factory, services)
    sandbox = providers.get("sandbox")
    if isinstance(sandbox, SandboxProvider):
        sandbox.deliver = intake.receive  # the same path the HTTP endpoint takes
    servicer = PaymentService(uow_factory, services)
    app = ServiceApp(
        name="payment",
        settings=settings,
        register=lambda server: payment_pb2_grpc.add_PaymentServiceServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        verifier=resources.verifier,
        identity_events_bus=resources.bus,
        background=[
            relay.run,
            ExpiryJob(uow_factory, services, settings.expiry_interval_seconds).run,
            StuckPaymentJob(
                uow_factory,
                services,
                intake,
                settings.resolve_interval_seconds,
                older_than=timedelta(seconds=settings.resolve_after_seconds),
                redeliver_after=timedelta(seconds=settings.sandbox_redeliver_after_seconds),
            ).run,
        ],
        http_routes=notification_routes(intake.receive, intake.returned),
        on_stop=[
            *([sandbox.close] if isinstance(sandbox, SandboxProvider) else []),
            *([hot.close] if hot is not None else []),
            resources.close,
        ],
        database=resources.engine,
    )
    return Assembly(app, uow_factory, services, intake, providers, keyring, resources.engine, hot)
