"""documents' handler rules on the in-memory unit of work (``tests/documents/fakes.py``): no PostgreSQL, no server.

Forward-only processing states, recipient isolation and idempotent sends, through the handlers the servicer calls,
asserting what is stored, what the outbox holds and who could see what."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from lienthong_documents.domain.directory import KnownAgency
from lienthong_documents.domain.documents import Confidentiality, Metadata, Urgency
from lienthong_documents.domain.status import Status
from lienthong_documents.handlers import attachments, directory, processing, reading, sending
from lienthong_documents.handlers.context import Caller
from lienthong_runtime.errors import AlreadyExists, DomainError
from tests.documents.fakes import FakeDocumentsUnitOfWork, context

CODES = {"hanoi": "000.00.00.H01", "hue": "000.00.00.H46", "justice": "000.00.00.G12"}


@pytest.fixture
def uow() -> FakeDocumentsUnitOfWork:
    return FakeDocumentsUnitOfWork()


@pytest.fixture
async def ctx(uow: FakeDocumentsUnitOfWork):  # type: ignore[no-untyped-def]
    ctx = context(uow)
    for name, code in CODES.items():
        uow.known[f"ag_{name}"] = KnownAgency(f"ag_{name}", f"UBND {name}", "PROVINCE", "01", False, None)
        await directory.register(uow, ctx, f"ag_{name}", code, "", "", "")
    return ctx


def caller(name: str) -> Caller:
    return Caller(f"ag_{name}", f"cl_{name}", frozenset())


async def upload(uow, ctx, name: str, content: bytes = b"minutes of the meeting") -> str:  # type: ignore[no-untyped-def]
    async def parts() -> AsyncIterator[tuple[str, object]]:
        yield "header", ("bien-ban.txt", "text/plain")
        yield "chunk", content

    return (await attachments.upload(uow, ctx, caller(name), parts())).id


def command(key: str, files: list[str], *, to: tuple[str, ...] = ("hue",), number: str = "12/QĐ-UBND"):  # type: ignore[no-untyped-def]
    meta = Metadata(
        number, "Quyết định", "Hà Nội", date(2026, 12, 5), "Kế hoạch", "Nguyễn Văn A", "Chủ tịch",
        Urgency.NORMAL, Confidentiality.NORMAL,
    )  # fmt: skip
    return sending.SendCommand(key, meta, [CODES[n] for n in to], files)


# ---- idempotent sends ----


async def test_a_retried_send_returns_the_first_document_and_publishes_once(uow, ctx):
    files = [await upload(uow, ctx, "hanoi")]
    first = await sending.send(uow, ctx, caller("hanoi"), command("send-0001", files))
    again = await sending.send(uow, ctx, caller("hanoi"), command("send-0001", files))
    assert again.id == first.id and len(uow.docs) == 1
    assert uow.event_types().count("DocumentSent") == 1
    assert [e.kind for e in uow.inbox_events] == ["ARRIVED"]


async def test_the_same_key_for_another_document_is_refused(uow, ctx):
    files = [await upload(uow, ctx, "hanoi")]
    await sending.send(uow, ctx, caller("hanoi"), command("send-0002", files))
    with pytest.raises(AlreadyExists) as refused:
        await sending.send(uow, ctx, caller("hanoi"), command("send-0002", files, number="13/QĐ-UBND"))
    assert refused.value.reason == "IDEMPOTENCY_KEY_REUSED"
    assert len(uow.docs) == 1


async def test_another_agency_may_use_the_same_key(uow, ctx):
    mine = await sending.send(
        uow, ctx, caller("hanoi"), command("send-0003", [await upload(uow, ctx, "hanoi")])
    )
    theirs = await sending.send(
        uow, ctx, caller("justice"), command("send-0003", [await upload(uow, ctx, "justice")])
    )
    assert mine.id != theirs.id


async def test_an_attachment_is_sent_once_and_only_by_its_uploader(uow, ctx):
    files = [await upload(uow, ctx, "hanoi")]
    with pytest.raises(DomainError) as refused:  # another agency's upload
        await sending.send(uow, ctx, caller("justice"), command("send-0004", files))
    assert refused.value.reason == "ATTACHMENT_NOT_FOUND"
    await sending.send(uow, ctx, caller("hanoi"), command("send-0005", files))
    with pytest.raises(DomainError) as refused:  # already part of a document
        await sending.send(uow, ctx, caller("hanoi"), command("send-0006", files))
    assert refused.value.reason == "ATTACHMENT_NOT_FOUND"


# ---- recipient isolation ----


async def test_only_the_sender_and_the_addressed_recipients_see_a_document(uow, ctx):
    files = [await upload(uow, ctx, "hanoi")]
    doc = await sending.send(uow, ctx, caller("hanoi"), command("send-0007", files, to=("hue",)))
    seen = await reading.get(uow, ctx, caller("hue"), doc.id)
    assert [r.code for r in seen.recipients] == [CODES["hue"]]
    with pytest.raises(DomainError) as refused:
        await reading.get(uow, ctx, caller("justice"), doc.id)
    assert refused.value.reason == "DOCUMENT_NOT_FOUND"
    with pytest.raises(DomainError) as refused:
        await attachments.download(uow, ctx, caller("justice"), doc.id, files[0]).__anext__()
    assert refused.value.reason == "DOCUMENT_NOT_FOUND"
    assert (await reading.inbox(uow, ctx, caller("justice"), {}, 50, ""))[0] == []
    assert [d.id for d in (await reading.inbox(uow, ctx, caller("hue"), {}, 50, ""))[0]] == [doc.id]
    assert {a.agency_id for a in uow.access_log} == {"ag_hue"}  # the refused reads logged nothing


async def test_a_recipient_sees_only_itself_among_several(uow, ctx):
    files = [await upload(uow, ctx, "hanoi")]
    doc = await sending.send(uow, ctx, caller("hanoi"), command("send-0008", files, to=("hue", "justice")))
    assert {r.code for r in (await reading.get(uow, ctx, caller("hanoi"), doc.id)).recipients} == {
        CODES["hue"],
        CODES["justice"],
    }
    history = await reading.status_history(uow, ctx, caller("justice"), doc.id)
    assert [r.code for r, _ in history] == [CODES["justice"]]
    await reading.get(uow, ctx, caller("hue"), doc.id)
    accesses, _ = await reading.accesses(uow, ctx, caller("justice"), doc.id, 50, "")
    assert {a.agency_id for a in accesses} == {"ag_justice"}  # not hue's reads


# ---- forward-only states ----


async def test_processing_states_only_move_forward(uow, ctx):
    files = [await upload(uow, ctx, "hanoi")]
    doc = await sending.send(uow, ctx, caller("hanoi"), command("send-0009", files))
    hue = caller("hue")
    assert (await processing.acknowledge_receipt(uow, ctx, hue, doc.id)).status is Status.ARRIVED
    r, changed = await processing.report(uow, ctx, hue, doc.id, Status.PROCESSING, "")
    assert changed and r.status is Status.PROCESSING
    for late in (Status.RECEIVED, Status.ARRIVED, Status.PROCESSING):
        r, changed = await processing.report(uow, ctx, hue, doc.id, late, "")
        assert not changed and r.status is Status.PROCESSING, late
    r, changed = await processing.report(uow, ctx, hue, doc.id, Status.REFUSED, "wrong recipient")
    assert not changed, "refusal belongs to reception, not after registration"
    r, changed = await processing.report(uow, ctx, hue, doc.id, Status.COMPLETED, "")
    assert changed and r.status is Status.COMPLETED
    r, changed = await processing.report(uow, ctx, hue, doc.id, Status.RETURNED, "too late")
    assert not changed and r.status is Status.COMPLETED  # final states never move
    assert uow.event_types().count("DocumentStatusChanged") == 3  # ARRIVED, PROCESSING, COMPLETED


async def test_the_sender_cannot_report_and_a_recall_stops_progress(uow, ctx):
    files = [await upload(uow, ctx, "hanoi")]
    doc = await sending.send(uow, ctx, caller("hanoi"), command("send-0010", files))
    with pytest.raises(DomainError) as refused:
        await processing.report(uow, ctx, caller("hanoi"), doc.id, Status.RECEIVED, "")
    assert refused.value.reason == "NOT_A_RECIPIENT"
    await sending.recall(uow, ctx, caller("hanoi"), doc.id, "sent by mistake")
    with pytest.raises(DomainError) as refused:
        await processing.report(uow, ctx, caller("hue"), doc.id, Status.RECEIVED, "")
    assert refused.value.reason == "DOCUMENT_RECALLED"
    acknowledged = await processing.acknowledge_recall(uow, ctx, caller("hue"), doc.id)
    assert acknowledged.recall.value == "ACKNOWLEDGED"


async def test_a_refusal_needs_a_reason_and_a_suspended_recipient_receives_nothing(uow, ctx):
    files = [await upload(uow, ctx, "hanoi")]
    doc = await sending.send(uow, ctx, caller("hanoi"), command("send-0011", files))
    with pytest.raises(DomainError) as refused:
        await processing.report(uow, ctx, caller("hue"), doc.id, Status.REFUSED, " ")
    assert refused.value.reason == "STATUS_REASON_REQUIRED"
    uow.known["ag_justice"] = KnownAgency("ag_justice", "UBND justice", "", "", True, datetime.now(UTC))
    with pytest.raises(DomainError) as refused:
        await sending.send(uow, ctx, caller("hanoi"), command("send-0012", files, to=("justice",)))
    assert refused.value.reason == "RECIPIENT_SUSPENDED"
