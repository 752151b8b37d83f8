"""Fixtures of the documents tests: the whole service on a fresh PostgreSQL database, driven through gRPC.

``docs`` starts the real composition root (migrated schema, a production-shaped attachment keyring, a trust list
holding a test CA, a locally minted token verifier, the embedded bus) on a Unix socket. ``docs.identity_created()``
publishes identity's ``AgencyCreated`` on that bus, as identity does; ``docs.agency()`` does so for a fresh agency,
registers it in the directory and returns a client calling as that agency with every documents scope.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest

from lienthong.common.v1 import date_pb2
from lienthong.documents.v1 import documents_pb2 as pb
from lienthong.documents.v1 import documents_pb2_grpc
from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong_documents.bootstrap import build, load_settings
from lienthong_runtime import migrations
from lienthong_runtime.crypto import b64encode
from lienthong_runtime.events import connect_bus, envelope
from lienthong_runtime.server import ServiceApp
from lienthong_runtime.testing import TokenMint, running

from .pki import Pki

TEST_KEYS = f"test1:{b64encode(os.urandom(32))}"
AGENCY_SCOPES = (
    "documents.directory.read",
    "documents.policy.write",
    "documents.send",
    "documents.read",
    "documents.process",
    "documents.exchange",
)
_codes = itertools.count(1)


def new_code() -> str:
    """A unique QCVN 102:2016 code per test run (level 3/4 groups vary, level 1 is a province's H code)."""
    n = next(_codes) + int.from_bytes(os.urandom(2), "big") * 100
    return f"{n % 1000:03d}.{(n // 1000) % 100:02d}.{uuid.uuid4().int % 100:02d}.H{uuid.uuid4().int % 90 + 10:02d}"


def metadata(urgency: int = pb.URGENCY_NORMAL, number: str = "12/QĐ-UBND") -> pb.DocumentMetadata:
    return pb.DocumentMetadata(
        number_symbol=number,
        document_type="Quyết định",
        issue_place="Hà Nội",
        issue_date=date_pb2.Date(year=2026, month=12, day=5),
        summary="Về việc phê duyệt kế hoạch chuyển đổi số năm 2027",
        signer_name="Nguyễn Văn A",
        signer_title="Chủ tịch",
        urgency=urgency,
        confidentiality=pb.CONFIDENTIALITY_NORMAL,
    )


class Agency:
    """One directory agency calling the service with its own token."""

    def __init__(
        self,
        stub: documents_pb2_grpc.DocumentsServiceStub,
        mint: TokenMint,
        agency_id: str,
        code: str,
        scopes: Iterable[str] = AGENCY_SCOPES,
    ) -> None:
        self.stub, self.agency_id, self.code = stub, agency_id, code
        self.md = mint.metadata(tuple(scopes), agency=agency_id)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.stub, name)
        return lambda request, **kw: method(request, metadata=self.md, timeout=kw.pop("timeout", 60), **kw)

    async def upload(
        self,
        content: bytes,
        name: str = "quyet-dinh.pdf",
        content_type: str = "application/pdf",
        chunk: int = 1 << 20,
    ) -> pb.Attachment:
        def parts() -> Iterable[pb.UploadAttachmentRequest]:
            yield pb.UploadAttachmentRequest(
                header=pb.AttachmentHeader(file_name=name, content_type=content_type)
            )
            for start in range(0, len(content), chunk):
                yield pb.UploadAttachmentRequest(chunk=content[start : start + chunk])

        response = await self.stub.UploadAttachment(parts(), metadata=self.md, timeout=120)
        return response.attachment

    async def send(
        self, recipients: list[Agency], content: bytes = b"%PDF-1.4 small", **kw: Any
    ) -> pb.Document:
        attachment = await self.upload(content, name=kw.pop("name", "van-ban.pdf"))
        request = pb.SendDocumentRequest(
            idempotency_key=kw.pop("key", uuid.uuid4().hex),
            metadata=kw.pop("meta", metadata()),
            recipient_codes=[r.code for r in recipients],
            attachment_ids=[attachment.attachment_id],
            **kw,
        )
        return (await self.stub.SendDocument(request, metadata=self.md, timeout=60)).document


@dataclass
class Docs:
    app: ServiceApp
    channel: grpc.aio.Channel
    mint: TokenMint
    pki: Pki

    @property
    def stub(self) -> documents_pb2_grpc.DocumentsServiceStub:
        return documents_pb2_grpc.DocumentsServiceStub(self.channel)

    def admin_md(self) -> tuple[tuple[str, str], ...]:
        return self.mint.metadata(("documents.directory.admin",), agency="platform")

    async def identity_says(self, message: Any, agency_id: str) -> str:
        """Publish one of identity's agency events on the service's bus; returns the event id."""
        event = envelope("identity", message, subject=agency_id, agency_id=agency_id)
        await connect_bus(self.app.settings.bus_url).publish(event)
        return event.id

    async def identity_created(self, agency_id: str, name: str = "", province: str = "01") -> str:
        return await self.identity_says(
            identity_events.AgencyCreated(
                agency_id=agency_id,
                display_name=name or f"Agency {agency_id}",
                kind="AGENCY_KIND_PROVINCE" if province else "AGENCY_KIND_MINISTRY",
                province_code=province,
            ),
            agency_id,
        )

    async def agency(self, name: str = "", province: str = "01", email: str = "") -> Agency:
        agency_id = f"agency-{uuid.uuid4().hex[:12]}"
        code = new_code()
        await self.identity_created(agency_id, name, province)
        await self.stub.RegisterAgency(
            pb.RegisterAgencyRequest(
                agency_id=agency_id,
                code=code,
                display_name=name or f"UBND {code}",
                province_code=province,
                notification_email=email,
            ),
            metadata=self.admin_md(),
        )
        return Agency(self.stub, self.mint, agency_id, code)

    def outsider(self) -> Agency:
        """An agency with every scope that is not in the directory."""
        return Agency(self.stub, self.mint, f"agency-{uuid.uuid4().hex[:12]}", "")


def docs_settings(url: str, tmp: Path, pki: Pki, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "database_url": url,
        "attachment_keys": TEST_KEYS,
        "trust_roots": pki.write_root(tmp),
        "bus_url": "memory://",
        "http_port": 0,
        "data_dir": str(tmp),
        "subscription_poll_interval": 0.2,
        "agency_event_wait": 2.0,
        **overrides,
    }
    return load_settings(**values)


@pytest.fixture(scope="session")
def pki() -> Pki:
    return Pki.create()


@pytest.fixture
async def docs(pg_url: str, tmp_path: Path, unix_socket: str, pki: Pki) -> AsyncIterator[Docs]:
    mint = TokenMint()
    settings = docs_settings(pg_url, tmp_path, pki)
    await migrations.upgrade_async("lienthong_documents", pg_url, "documents")
    app = await build(settings, verifier=mint.verifier())
    async with running(app, unix_socket) as channel:
        yield Docs(app, channel, mint, pki)
