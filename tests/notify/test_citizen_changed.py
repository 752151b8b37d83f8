"""Registry record changed -> notify e-mails the citizen at the contact identity published; once per event; nothing
for a citizen without a contact; the contacts projection holds no clear personal data; keys are required."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select

from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong.registry.v1 import events_pb2 as registry_events
from lienthong_notify.adapters.contact_store import ContactSeal, SqlContactRepository
from lienthong_notify.adapters.tables import contacts, notifications, processed_events
from lienthong_notify.bootstrap import load_keys, load_settings
from lienthong_notify.domain.contacts import Contact
from lienthong_notify.handlers import citizen_events
from lienthong_runtime.crypto import MissingKey
from lienthong_runtime.db import create_engine
from lienthong_runtime.events import connect_bus, envelope

from .support import eventually, handlers_on, mail_sink, running_notify

PID, OTHER_PID = "079301123456", "001199000777"
ADDRESS = "dan.nguyen@example.vn"


def contact_event(pid: str, mail: str, when: datetime, phone: str = "+84912345678"):
    stamp = Timestamp()
    stamp.FromDatetime(when)
    change = identity_events.CitizenContactChanged(
        account_id="acc-1", personal_id=pid, email=mail, phone_number=phone, change_time=stamp
    )
    return envelope("identity", change, subject="acc-1")


def record_changed(pid: str, version: int = 2):
    change = registry_events.CitizenChanged(
        personal_id=pid,
        version=version,
        changed_fields=["full_name", "permanent_address"],
        legal_reason="Quyết định 12/QĐ-UBND",
        actor_agency_id="agency-a",
    )
    return envelope("registry", change, subject=pid, agency_id="agency-a")


def messages(folder) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(folder.glob("*.eml"))
    ]


async def count(engine, table, *where) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table).where(*where)))


async def test_record_change_emails_the_citizen_once(db_url, unix_socket, tmp_path):
    folder = tmp_path / "mail"
    async with mail_sink(folder) as sink, running_notify(db_url, unix_socket, smtp_port=sink.port) as run:
        bus = connect_bus(run.app.settings.bus_url)
        await bus.publish(contact_event(PID, "Dan.Nguyen@Example.VN", datetime.now(UTC)))
        changed = record_changed(PID)
        engine = create_engine(db_url)
        try:

            async def contact_stored() -> bool:
                return await count(engine, contacts) == 1

            await eventually(contact_stored)
            await bus.publish(changed)

            async def delivered() -> bool:
                return sink.handler.received == 1

            await eventually(delivered)
            units, deps = handlers_on(engine, run.app.settings)
            for _ in range(2):  # redeliveries of the same event (same id) queue nothing more
                await citizen_events.on_citizen_changed(units(), deps, changed)
            assert await count(engine, notifications) == 1
            assert await count(engine, processed_events, processed_events.c.event_id == changed.id) == 1
        finally:
            await engine.dispose()
    [mail] = messages(folder)
    assert mail["To"] == ADDRESS
    assert mail["Subject"] == "Hồ sơ dân cư của Quý công dân vừa được cập nhật"
    body = mail.get_content()
    assert "họ và tên, nơi thường trú" in body and "Quyết định 12/QĐ-UBND" in body
    assert "không mong đợi" in body and PID not in body


async def test_no_contact_on_file_sends_and_records_nothing(db_url, unix_socket, tmp_path):
    async with running_notify(db_url, unix_socket, worker_enabled=False) as run:
        engine = create_engine(db_url)
        try:
            units, deps = handlers_on(engine, run.app.settings)
            await citizen_events.on_citizen_changed(units(), deps, record_changed(OTHER_PID))
            # a contact without e-mail (phone only) is no address either
            await citizen_events.on_contact_changed(units(), deps, contact_event(PID, "", datetime.now(UTC)))
            await citizen_events.on_citizen_changed(units(), deps, record_changed(PID))
            assert await count(engine, notifications) == 0
            assert await count(engine, processed_events, processed_events.c.consumer == "notify") == 1
        finally:
            await engine.dispose()


async def test_contacts_are_sealed_and_the_latest_change_wins(db_url, unix_socket, tmp_path):
    async with running_notify(db_url, unix_socket, worker_enabled=False) as run:
        engine = create_engine(db_url)
        try:
            units, deps = handlers_on(engine, run.app.settings)
            keys = load_keys(run.app.settings)
            now = datetime.now(UTC)
            await citizen_events.on_contact_changed(units(), deps, contact_event(PID, ADDRESS, now))
            stale = contact_event(PID, "old@example.vn", now - timedelta(hours=1))
            await citizen_events.on_contact_changed(units(), deps, stale)  # arrives late: ignored
            async with engine.connect() as conn:
                rows = (await conn.execute(select(contacts))).all()
                book = SqlContactRepository(conn, ContactSeal(keys.keyring, keys.index))
                assert await book.get(PID) == Contact(ADDRESS, "+84912345678")
        finally:
            await engine.dispose()
    dump = repr(rows).encode() + b"".join(bytes(v) for row in rows for v in row if isinstance(v, bytes))
    for clear in (PID, ADDRESS, "dan.nguyen", "912345678", "old@example.vn"):
        assert clear.encode() not in dump
    assert len(rows) == 1 and len(rows[0].personal_id_index) == 32


def test_production_refuses_to_start_without_contact_keys(tmp_path):
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/n.db", dev_mode=False)
    with pytest.raises(MissingKey, match="LIENTHONG_NOTIFY_ENCRYPTION_KEYS"):
        load_keys(settings)
    dev = load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/n.db", dev_mode=True)
    assert load_keys(dev).keyring.key_ids() == ["dev1"]  # dev mode: generated into the data folder
    assert (tmp_path / "notify-contacts.key").exists() and (tmp_path / "notify-blind-index.key").exists()
