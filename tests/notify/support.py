"""Helpers for notify's tests: a running notify service, tokens, error details and bounded waiting."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from lienthong.notify.v1 import notify_pb2 as pb
from lienthong.notify.v1 import notify_pb2_grpc
from lienthong_notify import bootstrap
from lienthong_notify.adapters.mail_sink import MailSink
from lienthong_notify.adapters.personal_fields import PersonalFields
from lienthong_notify.config import Settings
from lienthong_notify.handlers.ports import Deps, UnitsOfWork
from lienthong_runtime import migrations
from lienthong_runtime.crypto import Keyring, b64encode
from lienthong_runtime.server import Server, ServiceApp
from lienthong_runtime.testing import TokenMint

ALL_SCOPES = (
    "notify.templates.read",
    "notify.templates.write",
    "notify.messages.send",
    "notify.messages.read",
    "notify.callbacks.admin",
)

#: Short retry schedule so that outage tests finish in seconds.
FAST = {
    "retry_base_s": 0.05,
    "retry_max_s": 0.4,
    "worker_idle_s": 0.05,
    "worker_lease_s": 2.0,
    "rate_limit_per_s": 10_000.0,
    "rate_limit_burst": 10_000.0,
    "smtp_timeout_s": 2.0,
    "callback_retry_base_s": 0.05,
    "callback_allow_http_localhost": True,
}


@dataclass
class Running:
    """A notify service in this process, with a stub, a token mint and its server."""

    stub: notify_pb2_grpc.NotifyServiceStub
    mint: TokenMint
    server: Server
    app: ServiceApp

    def auth(
        self, agency: str = "agency-a", scopes: tuple[str, ...] = ALL_SCOPES, test: bool = False
    ) -> tuple[tuple[str, str], ...]:
        return self.mint.metadata([*scopes, *(["notify.test_mode"] if test else [])], agency=agency)


def at_rest_keys() -> dict[str, str]:
    """Fresh at-rest keys for the contacts (production configures them; nothing is written to disk)."""
    return {
        "encryption_keys": f"t1:{b64encode(os.urandom(32))}",
        "blind_index_key": b64encode(os.urandom(32)),
    }


_TEST_RING = Keyring({"t1": os.urandom(32)})


def personal() -> PersonalFields:
    """The sealer of notifications' personal fields, under a key of this test run."""
    return PersonalFields(_TEST_RING)


def handlers_on(engine: Any, settings: Settings) -> tuple[UnitsOfWork, Deps]:
    """The SQL units of work on ``engine`` and the handlers' collaborators, as the composition root builds them."""
    return bootstrap.build_units(settings, engine.connect), bootstrap.build_deps(settings)


async def migrate(url: str) -> None:
    await migrations.upgrade_async("lienthong_notify", url, "notify")


@contextlib.asynccontextmanager
async def running_notify(db_url: str, unix_socket: str, **overrides: Any) -> AsyncIterator[Running]:
    """Migrate ``db_url`` and run notify on ``unix_socket`` (HTTP side server on a free port)."""
    await migrate(db_url)
    mint = TokenMint()
    settings = bootstrap.load_settings(
        database_url=db_url,
        http_port=0,
        bus_url=f"memory://{id(mint)}",
        **{**FAST, **at_rest_keys(), **overrides},
    )
    app = await bootstrap.build(settings, verifier=mint.verifier())
    app.settings.unix_socket = unix_socket
    app.settings.port = -1
    server = Server(app)
    await server.start()
    channel = grpc.aio.insecure_channel(f"unix:{unix_socket}")
    try:
        yield Running(notify_pb2_grpc.NotifyServiceStub(channel), mint, server, app)
    finally:
        await channel.close()
        await server.stop(0)


@contextlib.asynccontextmanager
async def mail_sink(folder: Path, port: int = 0) -> AsyncIterator[MailSink]:
    sink = MailSink(folder, "127.0.0.1", port)
    await sink.start()
    try:
        yield sink
    finally:
        await sink.stop()


def received_ids(folder: Path) -> list[str]:
    """Message-IDs of the .eml files in a sink folder."""
    from email.parser import BytesHeaderParser

    ids = []
    for path in sorted(folder.glob("*.eml")):
        ids.append(BytesHeaderParser().parsebytes(path.read_bytes())["Message-ID"])
    return ids


def details(error: grpc.aio.AioRpcError) -> tuple[str, list[tuple[str, str]]]:
    """(ErrorInfo reason, BadRequest violations) of a failed call."""
    status = rpc_status.from_call(error)
    reason, violations = "", []
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations = [(v.field, v.description) for v in bad.field_violations]
    return reason, violations


async def eventually(
    check: Callable[[], Awaitable[bool]], *, timeout: float = 30.0, every: float = 0.05
) -> None:
    """Poll ``check`` until it is true; fails after ``timeout`` seconds (a bound, not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(every)


async def email_template(
    run: Running,
    agency: str = "agency-a",
    name: str = "welcome",
    subject: str = "Chào ((name))",
    body: str = "Xin chào ((name)), mã hồ sơ ((code)).",
) -> str:
    response = await run.stub.CreateTemplate(
        pb.CreateTemplateRequest(channel=pb.CHANNEL_EMAIL, name=name, subject=subject, body=body),
        metadata=run.auth(agency),
    )
    return response.template.id


async def statuses(run: Running, ids: list[str], agency: str = "agency-a") -> list[int]:
    out = []
    for notification_id in ids:
        got = await run.stub.GetNotification(
            pb.GetNotificationRequest(notification_id=notification_id), metadata=run.auth(agency)
        )
        out.append(got.notification.status)
    return out
