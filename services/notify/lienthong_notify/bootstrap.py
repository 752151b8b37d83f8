"""Composition root of the notify service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from lienthong.notify.v1 import notify_pb2, notify_pb2_grpc
from lienthong_runtime.auth import TokenVerifier
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.config import secret_value
from lienthong_runtime.events import OutboxRelay
from lienthong_runtime.resources import open_resources
from lienthong_runtime.server import ServiceApp

from .adapters.callback_sender import CallbackSender
from .adapters.contact_store import load_contact_book
from .adapters.http_routes import receipt_route
from .adapters.sms import FailoverSms, HttpSmsProvider, SandboxSms
from .adapters.smtp import SmtpMailer
from .adapters.tables import outbox
from .config import Settings
from .domain.channels import Channel
from .domain.notifications import RetryPolicy
from .grpc_api import NotifyService
from .handlers import dossier_events, events, notifications
from .handlers.context import Connect, Notify
from .worker import DeliveryWorker

SERVICE_NAME = notify_pb2.DESCRIPTOR.services_by_name["NotifyService"].full_name


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


def callback_receivers(settings: Settings) -> list[str]:
    """Private receivers the callback sender may connect to: the allow-list, and loopback in development."""
    loopback = ["localhost", "127.0.0.0/8", "::1/128"] if settings.callback_allow_http_localhost else []
    return [*settings.callback_allowed_hosts, *loopback]


def build_providers(
    settings: Settings, connect: Connect
) -> tuple[dict[Channel, Any], list[Callable[[], Awaitable[None]]]]:
    """The e-mail and SMS providers from settings, and their close hooks."""
    mailer = SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=secret_value(settings.smtp_password),
        starttls=settings.smtp_starttls,
        tls=settings.smtp_tls,
        timeout=settings.smtp_timeout_s,
        connections=settings.smtp_connections,
        mail_from=settings.mail_from,
        msgid_domain=settings.message_id_domain,
        pipelining=settings.smtp_pipelining,
        ca_file=settings.smtp_ca_file,
    )
    sms: FailoverSms | SandboxSms
    if settings.sms_providers:
        sms = FailoverSms(
            [
                HttpSmsProvider(
                    p.name,
                    p.url,
                    secret_value(p.api_key),
                    secret_value(p.receipt_secret),
                    p.weight,
                    p.timeout_s,
                )
                for p in settings.sms_providers
            ]
        )
    else:
        sms = SandboxSms()
        notify = Notify.from_settings(connect, settings)

        async def sandbox_receipt(notification_id: str, status: Any) -> None:
            await notifications.apply_receipt(notify, notification_id, status)

        sms.on_receipt = sandbox_receipt
    return {Channel.EMAIL: mailer, Channel.SMS: sms}, [mailer.close, sms.close]


async def build(settings: Settings, *, verifier: TokenVerifier | None = None) -> ServiceApp:
    contacts = load_contact_book(settings)  # before anything opens: production refuses to start without keys
    resources = open_resources(settings, verifier=verifier)
    notify = Notify.from_settings(resources.engine.connect, settings)
    providers, closers = build_providers(settings, resources.engine.connect)
    sms = providers[Channel.SMS]
    worker = DeliveryWorker(
        resources.engine.connect,
        providers,
        notify.retry,
        batch_size=settings.worker_batch_size,
        loops=settings.worker_loops,
        idle_s=settings.worker_idle_s,
        lease_s=settings.worker_lease_s,
        personal=notify.personal,
    )
    relay = OutboxRelay(resources.sessions, outbox, resources.bus, service="notify")
    callbacks = CallbackSender(
        resources.engine.connect,
        timeout_s=settings.callback_timeout_s,
        max_attempts=settings.callback_max_attempts,
        retry=RetryPolicy(base_s=settings.callback_retry_base_s, max_s=600.0),
        idle_s=min(0.5, settings.worker_idle_s * 2),
        allowed_hosts=callback_receivers(settings),
    )
    background = [relay.run, callbacks.run]
    if settings.worker_enabled:
        notify.wakers.append(worker.wake)
        background.append(worker.run)

        async def receipt_timeouts() -> None:
            await notifications.expire_unconfirmed_forever(notify)

        background.append(receipt_timeouts)
    on_start, on_stop = [], [*closers, resources.close]
    if settings.mail_sink_dir:
        from .adapters.mail_sink import MailSink  # aiosmtpd: needed only where the sink runs

        sink = MailSink(settings.mail_sink_dir, settings.smtp_host, settings.smtp_port)
        on_start.append(sink.start)
        on_stop.insert(0, sink.stop)

    async def subscribe() -> None:
        await events.subscribe(notify, resources.bus, contacts)
        await dossier_events.subscribe(notify, resources.bus, contacts)  # dossiers' status notices (#20)

    async def apply(notification_id: str, status: Any) -> bool:
        return await notifications.apply_receipt(notify, notification_id, status)

    on_start.append(subscribe)
    servicer = NotifyService(notify, contacts=contacts)
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
        http_routes=[receipt_route(sms.receipt_secret, apply)],
        database=resources.engine,
    )
