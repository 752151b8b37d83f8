"""Composition root of the dossiers service: settings, keys at rest, the statutory calendar, the unit of work,
the consumers of payment's and documents' events, the outbox relay, the apology sweep and the server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from lienthong.client import ClientCredentials, TokenSource, connect
from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.documents.v1 import events_pb2 as document_events
from lienthong.dossiers.v1 import dossiers_pb2, dossiers_pb2_grpc
from lienthong.payment.v1 import events_pb2 as payment_events
from lienthong_runtime.auth import TokenVerifier
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.config import secret_value
from lienthong_runtime.crypto import UnsealingBus
from lienthong_runtime.events import OutboxRelay
from lienthong_runtime.ids import new_id
from lienthong_runtime.keys_at_rest import load_keys_at_rest
from lienthong_runtime.resources import open_resources
from lienthong_runtime.server import Hook, ServiceApp

from .adapters import http
from .adapters.registry_reader import GrpcRegistryReader
from .adapters.tables import outbox
from .adapters.uow import SEALED_PREFIX, SqlDossiersUnitOfWork
from .config import Settings
from .domain.calendar import vietnam_holidays
from .domain.codes import new_code
from .grpc_api import DossiersService
from .handlers import events, sweep
from .handlers.context import Deps
from .handlers.ports import DossiersUnitOfWork, RegistryReader
from .metrics import OPEN_LATE_PARTS

SERVICE_NAME = dossiers_pb2.DESCRIPTOR.services_by_name["DossiersService"].full_name
PAYMENT_SUCCEEDED = payment_events.PaymentSucceeded.DESCRIPTOR.full_name
DOCUMENT_SENT = document_events.DocumentSent.DESCRIPTOR.full_name
log = logging.getLogger("lienthong.dossiers")


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


def default_deps(registry: RegistryReader | None = None) -> Deps:
    return Deps(
        holidays=vietnam_holidays(),
        clock=lambda: datetime.now(UTC),
        new_id=new_id,
        new_code=new_code,
        registry=registry,
    )


def registry_reader(settings: Settings) -> tuple[RegistryReader | None, Callable[[], Awaitable[None]] | None]:
    """The registry reader of PrefillForm when the deployment configured one, and how to close its channel."""
    secret = secret_value(settings.registry_client_secret)
    if not (settings.registry_target and settings.registry_client_id and secret):
        return None, None
    channel = connect(settings.registry_target)
    tokens = TokenSource.from_client_credentials(
        channel, ClientCredentials(settings.registry_client_id, secret, scopes=("registry.citizens.read",))
    )

    async def metadata() -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {await tokens.token()}"),)

    async def close() -> None:
        await channel.close(None)

    return GrpcRegistryReader(channel, metadata), close


async def subscribe(
    bus: Any, uow: Callable[[], DossiersUnitOfWork], deps: Deps, woke: Callable[[], None]
) -> None:
    """The durable consumer ``dossiers``: payment's PaymentSucceeded (fees) and documents' DocumentSent."""

    async def handler(event: EventEnvelope) -> None:
        if event.type == PAYMENT_SUCCEEDED:
            paid = payment_events.PaymentSucceeded()
            if event.payload.Unpack(paid):
                await events.payment_succeeded(
                    uow(), deps, event.id, event.agency_id, paid.reference, paid.amount_vnd
                )
        elif event.type == DOCUMENT_SENT:
            sent = document_events.DocumentSent()
            if event.payload.Unpack(sent):
                await events.document_sent(uow(), deps, event.id, event.agency_id, sent.document_id)
        woke()

    await bus.subscribe(events.CONSUMER, [PAYMENT_SUCCEEDED, DOCUMENT_SENT], handler)


async def build(
    settings: Settings,
    *,
    verifier: TokenVerifier | None = None,
    uow_factory: Callable[[], DossiersUnitOfWork] | None = None,
    deps: Deps | None = None,
) -> ServiceApp:
    resources = open_resources(settings, verifier=verifier)
    keys = load_keys_at_rest(settings, keyring_file="dossiers-keyring", index_file="dossiers-blind-index")
    closers: list[Hook] = [resources.close]
    if deps is None:
        reader, close_reader = registry_reader(settings)
        if close_reader is not None:
            closers.insert(0, close_reader)
        deps = default_deps(reader)
    relay = OutboxRelay(
        resources.sessions,
        outbox,
        UnsealingBus(resources.bus, keys.keyring, SEALED_PREFIX),
        delete_published=True,
        service="dossiers",
    )

    index = keys.index
    assert index is not None  # asked for with index_file

    def sql_uow() -> DossiersUnitOfWork:
        return SqlDossiersUnitOfWork(resources.sessions, keys.keyring, index, on_commit=relay.wake)

    uow = uow_factory or sql_uow

    servicer = DossiersService(uow, deps, settings.max_attachment_bytes)
    # Subscribed here, not when serving: in the embedded mode a memory-bus consumer gets only later events.
    await subscribe(resources.bus, uow, deps, relay.wake)

    async def apologies() -> None:
        while True:
            try:
                await sweep.apologise_overdue(uow, deps)
                late = await sweep.open_late(uow(), deps)
                OPEN_LATE_PARTS.clear()
                for agency, count in late.items():
                    OPEN_LATE_PARTS.labels(agency).set(count)
            except Exception:  # the sweep retries at its next round; a failure must not stop the service
                log.exception("apology sweep failed")
            await asyncio.sleep(settings.sweep_interval)

    app = ServiceApp(
        name="dossiers",
        settings=settings,
        register=lambda server: dossiers_pb2_grpc.add_DossiersServiceServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        verifier=resources.verifier,
        identity_events_bus=resources.bus,
        on_stop=closers,
        background=[relay.run, apologies],
        database=resources.sessions.kw["bind"],
    )
    # The report as CSV on the HTTP side server; the verifier is read at call time (tests may swap it).
    app.http_routes = http.routes(lambda: app.verifier, uow, deps)
    return app
