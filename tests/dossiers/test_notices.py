"""Dossiers -> notify: every status change of a citizen's dossier reaches them by e-mail (and SMS) at the contact
identity published, once per event, through notify's consumer of DossierStatusChanged; the mail never carries
the personal ID."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select

from lienthong.dossiers.v1 import events_pb2 as dossier_events
from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong_notify.adapters.tables import contacts, notifications
from lienthong_runtime.db import create_engine
from lienthong_runtime.events import connect_bus, envelope

from ..notify.support import eventually, mail_sink, running_notify

pytestmark = pytest.mark.postgres
PID = "079301123456"


async def _count(engine, table) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)))


async def test_a_supplement_request_mails_the_citizen_its_reason(pg_url, unix_socket, tmp_path):
    folder = tmp_path / "mail"
    async with mail_sink(folder) as sink, running_notify(pg_url, unix_socket, smtp_port=sink.port) as run:
        bus = connect_bus(run.app.settings.bus_url)
        stamp = Timestamp()
        stamp.FromDatetime(datetime.now(UTC))
        await bus.publish(
            envelope(
                "identity",
                identity_events.CitizenContactChanged(
                    account_id="acc-1",
                    personal_id=PID,
                    email="dan@example.vn",
                    phone_number="",
                    change_time=stamp,
                ),
                subject="acc-1",
            )
        )
        engine = create_engine(pg_url)
        try:

            async def contact_stored() -> bool:
                return await _count(engine, contacts) == 1

            await eventually(contact_stored)
            changed = envelope(
                "dossiers",
                dossier_events.DossierStatusChanged(
                    dossier_id="d1",
                    code="HS-2027-AB23CD",
                    part_id="p1",
                    procedure_code="LT-KHAISINH",
                    procedure_name="Đăng ký khai sinh",
                    state="PART_STATE_AWAITING_SUPPLEMENT",
                    reason="Thiếu xác nhận nơi cư trú",
                    citizen_personal_id=PID,
                    change_time=stamp,
                ),
                subject="d1",
                agency_id="agency-civil",
            )
            await bus.publish(changed)
            await bus.publish(changed)  # a redelivery queues nothing more

            async def delivered() -> bool:
                return sink.handler.received == 1

            await eventually(delivered)
            assert await _count(engine, notifications) == 1
        finally:
            await engine.dispose()
    [path] = sorted(folder.glob("*.eml"))
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "HS-2027-AB23CD" in str(mail["subject"]) and "cần bổ sung" in str(mail["subject"])
    assert "Thiếu xác nhận nơi cư trú" in body and PID not in body
