"""Citizens' contacts and the events notify consumes, on the in-memory unit of work: the latest contact change
wins, an empty contact removes it, record changes e-mail the citizen once (never with the personal ID), a citizen
lists only what was sent to their contact, receipts and urgent-document alerts go out once per event."""

from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from lienthong.documents.v1 import events_pb2 as document_events
from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong.payment.v1 import events_pb2 as payment_events
from lienthong.registry.v1 import events_pb2 as registry_events
from lienthong_notify.domain.channels import Channel
from lienthong_notify.domain.contacts import Contact
from lienthong_notify.handlers import (
    citizen_events,
    citizen_reads,
    events,
    templates,
)
from lienthong_notify.handlers import (
    document_events as documents,
)
from lienthong_notify.handlers.ports import Caller
from lienthong_runtime.events import envelope

from ..fakes import FakeStore, deps

PID = "079301123456"


def contact_event(mail: str, when: datetime, phone: str = "+84912345678", pid: str = PID):
    stamp = Timestamp()
    stamp.FromDatetime(when)
    change = identity_events.CitizenContactChanged(
        account_id="acc-1", personal_id=pid, email=mail, phone_number=phone, change_time=stamp
    )
    return envelope("identity", change, subject="acc-1")


def record_changed(pid: str = PID):
    change = registry_events.CitizenChanged(
        personal_id=pid,
        version=2,
        changed_fields=["full_name"],
        legal_reason="QĐ 12",
        actor_agency_id="agency-a",
    )
    return envelope("registry", change, subject=pid, agency_id="agency-a")


async def test_the_latest_contact_change_wins_and_an_empty_contact_removes_it():
    store, d = FakeStore(), deps()
    now = datetime.now(UTC)
    await citizen_events.on_contact_changed(store.units(), d, contact_event("Dan@Example.VN", now))
    await citizen_events.on_contact_changed(
        store.units(), d, contact_event("old@example.vn", now - timedelta(hours=1))
    )
    assert await store.units().contacts.get(PID) == Contact("dan@example.vn", "+84912345678")
    await citizen_events.on_contact_changed(
        store.units(), d, contact_event("not-an-address", now + timedelta(1))
    )
    assert await store.units().contacts.get(PID) == Contact("", "+84912345678")  # unusable e-mail: none
    await citizen_events.on_contact_changed(store.units(), d, contact_event("", now + timedelta(2), phone=""))
    assert await store.units().contacts.get(PID) is None


async def test_a_record_change_emails_the_citizen_once_and_never_names_the_personal_id():
    store, d = FakeStore(), deps()
    changed = record_changed()
    await citizen_events.on_citizen_changed(store.units(), d, changed)  # no contact yet: nothing recorded
    assert store.state["notification_rows"] == {} and store.state["processed_events"] == set()
    await citizen_events.on_contact_changed(
        store.units(), d, contact_event("dan@example.vn", datetime.now(UTC))
    )
    for _ in range(2):  # a redelivery queues nothing more
        await citizen_events.on_citizen_changed(store.units(), d, changed)
    [row] = store.state["notification_rows"].values()
    assert (row.n.recipient, row.n.agency_id, row.n.reference) == (
        "dan@example.vn",
        "",
        "registry.citizen_changed",
    )
    assert "họ và tên" in row.n.body and PID not in row.n.body + row.n.subject


async def test_a_citizen_lists_only_real_messages_sent_to_their_own_contact():
    store, d = FakeStore(), deps()
    await citizen_events.on_contact_changed(
        store.units(), d, contact_event("an@example.vn", datetime.now(UTC))
    )
    await citizen_events.on_citizen_changed(store.units(), d, record_changed())
    await citizen_events.on_contact_changed(
        store.units(), d, contact_event("other@example.vn", datetime.now(UTC), pid="001199000777")
    )
    await citizen_events.on_citizen_changed(store.units(), d, record_changed("001199000777"))
    mine = await citizen_reads.my_notifications(store.units(), personal_id=PID, before_id=None, limit=10)
    assert [n.recipient for n in mine] == ["an@example.vn"]
    nobody = await citizen_reads.my_notifications(
        store.units(), personal_id="001099000123", before_id=None, limit=9
    )
    assert nobody == []


def paid(email: str) -> payment_events.PaymentSucceeded:
    return payment_events.PaymentSucceeded(
        payment_id="pay-1", reference="HS-9", description="Lệ phí", amount_vnd=1_250_000, payer_email=email
    )


async def test_a_payment_receipt_goes_once_with_the_agency_template_or_the_built_in_one():
    store, d = FakeStore(), deps()
    await templates.create(
        store.units(), Caller("agency-a"), channel=Channel.EMAIL, name="payment_receipt",
        subject="Biên lai ((reference))", body="Đã nhận ((amount)).", now=d.clock(),
    )  # fmt: skip
    a = envelope("payment", paid("Payer@Example.VN"), subject="pay-1", agency_id="agency-a")
    b = envelope("payment", paid("x@example.vn"), subject="pay-2", agency_id="agency-b")
    for event in (a, a, b, envelope("payment", paid("not-an-address"), subject="p", agency_id="agency-a")):
        await events.on_payment_succeeded(store.units(), d, event)
    rows = sorted((r.n for r in store.state["notification_rows"].values()), key=lambda n: n.agency_id)
    assert [(n.agency_id, n.recipient) for n in rows] == [
        ("agency-a", "payer@example.vn"),
        ("agency-b", "x@example.vn"),
    ]
    assert rows[0].subject == "Biên lai HS-9" and rows[1].subject == "Biên lai thanh toán (HS-9)"
    assert rows[0].body == "Đã nhận 1.250.000 ₫." and rows[1].template_id == "builtin-payment-receipt"


async def test_only_urgent_documents_are_alerted_once_per_recipient_with_an_address():
    store, d = FakeStore(), deps()

    def sent(urgency: str):
        recipients = [
            document_events.DocumentRecipient(
                code="G12", display_name="Bộ Nội vụ", notification_email="VT@bnv.vn"
            ),
            document_events.DocumentRecipient(code="G13", display_name="Bộ Tài chính"),
        ]
        event = document_events.DocumentSent(
            document_id="d1",
            sender_name="UBND",
            number_symbol="15/QĐ",
            urgency=urgency,
            recipients=recipients,
        )
        return envelope("documents", event, subject="d1", agency_id="a-0")

    express = sent("URGENCY_EXPRESS")
    for event in (sent("URGENCY_NORMAL"), express, express):
        await documents.on_document_sent(store.units(), d, event)
    [row] = store.state["notification_rows"].values()
    assert (row.n.recipient, row.n.subject) == ("vt@bnv.vn", "[HỎA TỐC] Văn bản 15/QĐ từ UBND")
