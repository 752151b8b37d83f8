"""Composition root of the notify service: the only place that builds adapters (database units of work, the
keys at rest, SMTP and SMS providers, the callback sender behind its SSRF guard, the mail sink, the delivery
worker, the clock) and injects them. Every one of them can be passed in instead (tests pass fakes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.notify.v1 import notify_pb2, notify_pb2_grpc
from lienthong_runtime.auth import TokenVerifier
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.db import create_engine
from lienthong_runtime.events import OutboxRelay
from lienthong_runtime.keys_at_rest import KeysAtRest, load_keys_at_rest
from lienthong_runtime.resources import open_resources
from lienthong_runtime.server import ServiceApp

from .adapters.callback_sender import CallbackGuard, HttpCallbackPoster
from .adapters.contact_store import ContactSeal
from .adapters.http_routes import receipt_route
from .adapters.personal_fields import PersonalFields
from .adapters.providers import Providers, build_providers
from .adapters.tables import outbox
from .adapters.uow import sql_units
from .config import Settings
from .domain.channels import Status
from .domain.limits import RateLimiter
from .domain.notifications import RetryPolicy
from .grpc_api import NotifyService
from .handlers import (
    callback_delivery,
    citizen_events,
    document_events,
    dossier_events,
    events,
    notifications,
)
from .handlers.callback_delivery import CallbackPoster, CallbackSchedule
from .handlers.delivery import DeliveryWorker
from .handlers.intake import SendIntake
from .handlers.ports import CallbackUrls, Deps, UnitsOfWork, utcnow

SERVICE_NAME = notify_pb2.DESCRIPTOR.services_by_name["NotifyService"].full_name
CONSUMER = "notify"
EventHandler = Callable[[EventEnvelope], Awaitable[None]]


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


def load_keys(settings: Settings) -> KeysAtRest:
    """notify's keyring and blind index; outside dev mode missing keys refuse the start (``MissingKey``)."""
    return load_keys_at_rest(
        settings, keyring_file="notify-contacts.key", index_file="notify-blind-index.key"
    )


def callback_guard(settings: Settings) -> CallbackGuard:
    return CallbackGuard(
        allow_http_localhost=settings.callback_allow_http_localhost,
        allowed_hosts=settings.callback_allowed_hosts,
    )


def build_units(settings: Settings, connect: Any, keys: KeysAtRest | None = None) -> UnitsOfWork:
    """Units of work on ``connect`` (``engine.connect``), sealing personal data under notify's keys."""
    keys = keys or load_keys(settings)
    assert keys.index is not None  # load_keys asks for the blind index
    return sql_units(connect, PersonalFields(keys.keyring, keys.index), ContactSeal(keys.keyring, keys.index))


def build_deps(
    settings: Settings,
    *,
    clock: Callable[[], Any] = utcnow,
    wake: Callable[[], None] = lambda: None,
    callback_urls: CallbackUrls | None = None,
) -> Deps:
    return Deps(
        limiter=RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst),
        retry=RetryPolicy(settings.retry_base_s, settings.retry_max_s, settings.give_up_s),
        daily_caps={"email": settings.daily_cap_email, "sms": settings.daily_cap_sms},
        callback_urls=callback_urls or callback_guard(settings),
        sms_receipt_timeout_s=settings.sms_receipt_timeout_s,
        clock=clock,
        wake=wake,
    )


def worker_for(settings: Settings, units: UnitsOfWork, deps: Deps, providers: Providers) -> DeliveryWorker:
    """The delivery worker; the sandbox SMS provider's receipts are applied through the same units of work."""

    async def sandbox_receipt(notification_id: str, status: Status) -> None:
        await notifications.apply_receipt(units(), deps, notification_id=notification_id, status=status)

    providers.on_sandbox_receipt(sandbox_receipt)
    return DeliveryWorker(
        units,
        deps,
        providers.by_channel,
        batch_size=settings.worker_batch_size,
        loops=settings.worker_loops,
        idle_s=settings.worker_idle_s,
        lease_s=settings.worker_lease_s,
    )


def build_worker(settings: Settings) -> tuple[DeliveryWorker, Callable[[], Awaitable[None]]]:
    """The standalone worker process (``python -m lienthong_notify.worker``) and how to close it."""
    keys = load_keys(settings)
    engine = create_engine(settings.database_url)
    providers = build_providers(settings)
    worker = worker_for(
        settings, build_units(settings, engine.connect, keys), build_deps(settings), providers
    )

    async def close() -> None:
        await providers.close()
        await engine.dispose()

    return worker, close


def event_handlers(units: UnitsOfWork, deps: Deps) -> dict[str, EventHandler]:
    """Every event notify consumes (durable consumer ``notify``) and its handler: add a consumer here."""
    return {
        events.PAYMENT_SUCCEEDED: lambda e: events.on_payment_succeeded(units(), deps, e),
        citizen_events.CONTACT_CHANGED: lambda e: citizen_events.on_contact_changed(units(), deps, e),
        citizen_events.CITIZEN_CHANGED: lambda e: citizen_events.on_citizen_changed(units(), deps, e),
        document_events.DOCUMENT_SENT: lambda e: document_events.on_document_sent(units(), deps, e),
        dossier_events.STATUS_CHANGED: lambda e: dossier_events.on_status_changed(units(), deps, e),
    }


async def build(
    settings: Settings,
    *,
    verifier: TokenVerifier | None = None,
    keys: KeysAtRest | None = None,
    uow_factory: UnitsOfWork | None = None,
    providers: Providers | None = None,
    callback_poster: CallbackPoster | None = None,
    clock: Callable[[], Any] = utcnow,
) -> ServiceApp:
    keys = keys or load_keys(settings)  # before anything opens: production refuses to start without keys
    resources = open_resources(settings, verifier=verifier)
    units = uow_factory or build_units(settings, resources.engine.connect, keys)
    providers = providers or build_providers(settings)
    guard = callback_guard(settings)
    wakers: list[Callable[[], None]] = []

    def wake() -> None:  # tell in-process workers there is new work (they also poll)
        for waker in wakers:
            waker()

    deps = build_deps(settings, clock=clock, wake=wake, callback_urls=guard)
    worker = worker_for(settings, units, deps, providers)
    relay = OutboxRelay(resources.sessions, outbox, resources.bus, service="notify")
    poster = callback_poster or HttpCallbackPoster(guard, timeout_s=settings.callback_timeout_s)
    schedule = CallbackSchedule(
        timeout_s=settings.callback_timeout_s,
        max_attempts=settings.callback_max_attempts,
        retry=RetryPolicy(base_s=settings.callback_retry_base_s, max_s=600.0),
    )
    idle_s = min(0.5, settings.worker_idle_s * 2)

    async def callbacks() -> None:
        await callback_delivery.deliver_forever(units, deps, poster, schedule, idle_s)

    background: list[Callable[[], Awaitable[None]]] = [relay.run, callbacks]
    if settings.worker_enabled:
        wakers.append(worker.wake)
        background.append(worker.run)

        async def receipt_timeouts() -> None:
            await notifications.expire_unconfirmed_forever(units, deps)

        background.append(receipt_timeouts)
    closers = [providers.close, *([poster.close] if isinstance(poster, HttpCallbackPoster) else [])]
    on_start: list[Callable[[], Awaitable[None]]] = []
    on_stop: list[Callable[[], Awaitable[None]]] = [*closers, resources.close]
    if settings.mail_sink_dir:
        from .adapters.mail_sink import MailSink  # aiosmtpd: needed only where the sink runs

        sink = MailSink(settings.mail_sink_dir, settings.smtp_host, settings.smtp_port)
        on_start.append(sink.start)
        on_stop.insert(0, sink.stop)
    consumers = event_handlers(units, deps)

    async def dispatch(event: EventEnvelope) -> None:
        handler = consumers.get(event.type)
        if handler is not None:
            await handler(event)

    async def subscribe() -> None:
        await resources.bus.subscribe(CONSUMER, list(consumers), dispatch)

    async def apply(notification_id: str, status: Status) -> bool:
        return await notifications.apply_receipt(
            units(), deps, notification_id=notification_id, status=status
        )

    on_start.append(subscribe)
    servicer = NotifyService(units, deps, SendIntake(units, deps))
    return ServiceApp(
        name="notify",
        settings=settings,
        register=lambda server: notify_pb2_grpc.add_NotifyServiceServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        verifier=resources.verifier,
        identity_events_bus=resources.bus,
        on_start=on_start,
        on_stop=on_stop,
        background=background,
        http_routes=[receipt_route(providers.receipt_secret, apply)],
        database=resources.engine,
    )
