"""documents' DocumentSent -> notify e-mails each recipient agency with an address, only for "hỏa tốc" and
"thượng khẩn" documents, once per event."""

from __future__ import annotations

import email
import email.policy

import pytest
from sqlalchemy import func, select

from lienthong.documents.v1 import events_pb2 as document_events
from lienthong_notify.adapters.tables import notifications
from lienthong_notify.handlers import document_events as handler
from lienthong_runtime.db import create_engine
from lienthong_runtime.events import connect_bus, envelope

from .support import eventually, handlers_on, mail_sink, running_notify

pytestmark = pytest.mark.postgres


def sent(urgency: str) -> object:
    event = document_events.DocumentSent(
        document_id="doc_1",
        sender_code="000.00.00.H01",
        sender_name="UBND Thành phố Hà Nội",
        number_symbol="15/QĐ-UBND",
        urgency=urgency,
        recipients=[
            document_events.DocumentRecipient(
                agency_id="a-1",
                code="000.00.00.G12",
                display_name="Bộ Nội vụ",
                notification_email="VanThu@BNV.gov.vn",
            ),
            document_events.DocumentRecipient(
                agency_id="a-2", code="000.00.00.G13", display_name="Bộ Tài chính"
            ),
        ],
    )
    return envelope("documents", event, subject="doc_1", agency_id="a-0")


async def test_urgent_documents_are_emailed_once_to_recipients_with_an_address(pg_url, unix_socket, tmp_path):
    folder = tmp_path / "mail"
    async with mail_sink(folder) as sink, running_notify(pg_url, unix_socket, smtp_port=sink.port) as run:
        bus = connect_bus(run.app.settings.bus_url)
        express, normal = sent("URGENCY_EXPRESS"), sent("URGENCY_NORMAL")
        await bus.publish(normal)
        await bus.publish(express)

        async def delivered() -> bool:
            return sink.handler.received == 1

        await eventually(delivered)
        engine = create_engine(pg_url)
        try:
            units, deps = handlers_on(engine, run.app.settings)
            for _ in range(2):  # redeliveries queue nothing more
                await handler.on_document_sent(units(), deps, express)
            async with engine.connect() as conn:
                assert await conn.scalar(select(func.count()).select_from(notifications)) == 1
        finally:
            await engine.dispose()
    [path] = sorted(folder.glob("*.eml"))
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
    assert mail["To"] == "vanthu@bnv.gov.vn"
    assert mail["Subject"] == "[HỎA TỐC] Văn bản 15/QĐ-UBND từ UBND Thành phố Hà Nội"
    assert "000.00.00.H01" in mail.get_content()
