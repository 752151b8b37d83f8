"""Fixtures of the dossiers tests: the whole service on a fresh PostgreSQL database, driven through gRPC.

``dossiers`` starts the real composition root (migrated schema, production-shaped keys at rest, a locally minted
token verifier, the embedded bus, a settable clock) on a Unix socket. ``world.citizen()`` and ``world.agency()``
return clients calling with a citizen's or an agency's token; ``world.payment_succeeded()`` and
``world.document_sent()`` publish payment's and documents' events on the service's bus, as those blocks do.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest

from lienthong.documents.v1 import events_pb2 as document_events
from lienthong.dossiers.v1 import dossiers_pb2 as pb
from lienthong.dossiers.v1 import dossiers_pb2_grpc
from lienthong.payment.v1 import events_pb2 as payment_events
from lienthong_dossiers.adapters.uow import SqlDossiersUnitOfWork
from lienthong_dossiers.bootstrap import build, load_settings
from lienthong_dossiers.handlers.context import Deps
from lienthong_runtime import migrations
from lienthong_runtime.crypto import BlindIndex, Keyring, b64decode, b64encode
from lienthong_runtime.db import create_engine, session_factory
from lienthong_runtime.events import connect_bus, envelope
from lienthong_runtime.server import ServiceApp
from lienthong_runtime.testing import TokenMint, running

from .fakes import FakeClock, fake_deps

TEST_KEYS = f"test1:{b64encode(os.urandom(32))}"
TEST_INDEX = b64encode(os.urandom(32))
AGENCY_SCOPES = (
    "dossiers.procedures.read",
    "dossiers.procedures.write",
    "dossiers.dossiers.process",
    "dossiers.parts.officer",
    "dossiers.reports.read",
)
#: An officer's own client: only the parts assigned to it (no dossiers.dossiers.process).
OFFICER_SCOPES = ("dossiers.procedures.read", "dossiers.parts.officer")


def personal_id() -> str:
    return f"001090{uuid.uuid4().int % 1_000_000:06d}"


class Client:
    """Calls the service with one token."""

    def __init__(self, stub: dossiers_pb2_grpc.DossiersServiceStub, md: Any, name: str) -> None:
        self.stub, self.md, self.id = stub, md, name

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.stub, name)
        return lambda request, **kw: method(request, metadata=self.md, timeout=kw.pop("timeout", 30), **kw)


@dataclass
class World:
    app: ServiceApp
    channel: grpc.aio.Channel
    mint: TokenMint
    clock: FakeClock
    deps: Deps
    sessions: Any

    def uow(self) -> SqlDossiersUnitOfWork:
        """A unit of work on the service's database with its keys (for running one sweep round)."""
        return SqlDossiersUnitOfWork(
            self.sessions, Keyring.parse(TEST_KEYS), BlindIndex(b64decode(TEST_INDEX))
        )

    @property
    def stub(self) -> dossiers_pb2_grpc.DossiersServiceStub:
        return dossiers_pb2_grpc.DossiersServiceStub(self.channel)

    def citizen(self, pid: str = "") -> Client:
        pid = pid or personal_id()
        return Client(self.stub, self.mint.metadata(("citizen.self",), kind="citizen", pid=pid), pid)

    def agency(self, operator: bool = False) -> Client:
        agency_id = f"agency-{uuid.uuid4().hex[:12]}"
        scopes = (*AGENCY_SCOPES, "platform.admin") if operator else AGENCY_SCOPES
        return Client(self.stub, self.mint.metadata(scopes, agency=agency_id), agency_id)

    def officer(self, agency_id: str, client_id: str = "") -> Client:
        """A client of ``agency_id`` with only ``dossiers.parts.officer``; its client id is the officer id."""
        client_id = client_id or f"officer-{uuid.uuid4().hex[:8]}"
        md = self.mint.metadata(OFFICER_SCOPES, agency=agency_id, subject=client_id)
        return Client(self.stub, md, client_id)

    async def publish(self, source: str, message: Any, agency_id: str) -> None:
        await connect_bus(self.app.settings.bus_url).publish(envelope(source, message, agency_id=agency_id))
        await asyncio.sleep(0.05)

    async def payment_succeeded(self, agency_id: str, reference: str, amount: int) -> None:
        await self.publish(
            "payment",
            payment_events.PaymentSucceeded(
                payment_id=uuid.uuid4().hex, reference=reference, amount_vnd=amount
            ),
            agency_id,
        )

    async def document_sent(self, agency_id: str) -> str:
        document_id = uuid.uuid4().hex
        await self.publish("documents", document_events.DocumentSent(document_id=document_id), agency_id)
        return document_id


def procedure_spec(parts: list[tuple[str, int]], fee: int = 0, before: bool = False) -> pb.ProcedureSpec:
    return pb.ProcedureSpec(
        name="Liên thông khai sinh, thường trú, cấp thẻ BHYT",
        level=pb.AGENCY_LEVEL_PROVINCE,
        province_code="01",
        components=[
            pb.Component(
                name="child_name", label="Họ và tên trẻ", kind=pb.COMPONENT_KIND_TEXT, required=True
            ),
            pb.Component(name="birth_date", label="Ngày sinh", kind=pb.COMPONENT_KIND_DATE, required=True),
            pb.Component(name="note", label="Ghi chú", kind=pb.COMPONENT_KIND_TEXT),
        ],
        parts=[
            pb.ProcedurePart(agency_id=a, title=f"Phần {i}", processing_working_days=d)
            for i, (a, d) in enumerate(parts)
        ],
        fee_vnd=fee,
        fee_before_processing=before,
        electronic_result=True,
    )


FORM = {"child_name": "Nguyễn Văn An", "birth_date": "2027-01-20"}


def new_procedure_code() -> str:
    return f"LT-{uuid.uuid4().hex[:10].upper()}"


@pytest.fixture
async def world(pg_url: str, tmp_path: Path, unix_socket: str) -> AsyncIterator[World]:
    mint = TokenMint()
    clock = FakeClock(datetime(2027, 2, 2, 2, tzinfo=UTC))  # Tue 2 Feb 2027, 9:00 in Vietnam
    settings = load_settings(
        database_url=pg_url,
        encryption_keys=TEST_KEYS,
        blind_index_key=TEST_INDEX,
        bus_url=f"memory://dossiers-{uuid.uuid4().hex[:8]}",
        http_port=0,
        data_dir=str(tmp_path),
        sweep_interval=3600,
    )
    await migrations.upgrade_async("lienthong_dossiers", pg_url, "dossiers")
    deps = fake_deps(clock)
    app = await build(settings, verifier=mint.verifier(), deps=deps)
    engine = create_engine(pg_url)
    try:
        async with running(app, unix_socket) as channel:
            yield World(app, channel, mint, clock, deps, session_factory(engine))
    finally:
        await engine.dispose()
