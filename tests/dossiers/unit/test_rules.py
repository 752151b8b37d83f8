"""Handler rules on the in-memory unit of work: filing, idempotency, forms, isolation, forward-only states, the
supplement pause, fees, linked procedures, late parts, apology letters and the report. No database, no server."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from lienthong_dossiers.domain.codes import ALPHABET, is_code
from lienthong_dossiers.domain.dossiers import DossierState, PartState
from lienthong_dossiers.domain.procedures import Component, Kind
from lienthong_dossiers.handlers import (
    attachments,
    calendar,
    events,
    filing,
    prefill,
    procedures,
    processing,
    reports,
    sweep,
)
from lienthong_dossiers.handlers.context import Caller
from lienthong_dossiers.handlers.ports import RegistryReader
from lienthong_runtime.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)

from ..factories import CITIZEN, FORM, OTHER_CITIZEN, newborn, simple, upload_parts

CIVIL, POLICE, INSURANCE, STRANGER = "agency-civil", "agency-police", "agency-insurance", "agency-stranger"


def agency(agency_id: str, operator: bool = False) -> Caller:
    return Caller.agency(agency_id, f"officer-client-{agency_id}", operator)


async def _procedure(uow, clock, spec, code="LT-KHAISINH", owner=CIVIL):
    return await procedures.create(uow, agency(owner), code, spec, clock())


async def test_a_citizen_files_and_the_code_reads_out_on_the_phone(world):
    uow, clock, deps = world
    await _procedure(uow, clock, simple(CIVIL))
    d = await filing.file(uow, deps, Caller.citizen(CITIZEN), "lt-khaisinh", FORM, "k1")
    assert is_code(d.code) and d.code.startswith("HS-2027-")
    assert not set("01OI") & set(ALPHABET)
    assert d.state is DossierState.IN_PROGRESS
    (part,) = d.parts
    assert part.state is PartState.RECEIVED and part.due_date == date(2027, 2, 16)
    assert [e.payload.type_url.rsplit(".", 1)[-1] for e in uow.outbox] == ["DossierStatusChanged"]


async def test_idempotency_key_and_form_checks(world):
    uow, clock, deps = world
    await _procedure(uow, clock, simple(CIVIL))
    me = Caller.citizen(CITIZEN)
    first = await filing.file(uow, deps, me, "LT-KHAISINH", FORM, "same")
    again = await filing.file(uow, deps, me, "LT-KHAISINH", FORM, "same")
    assert again.id == first.id and len(uow.dossier_rows) == 1
    with pytest.raises(AlreadyExists) as reused:
        await filing.file(uow, deps, me, "LT-KHAISINH", {**FORM, "child_name": "Khác"}, "same")
    assert reused.value.reason == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(InvalidArgument) as bad:
        await filing.file(uow, deps, me, "LT-KHAISINH", {"birth_date": "20/01/2027", "nope": "x"}, "k2")
    fields = {v.field for v in bad.value.field_violations}
    assert bad.value.reason == "FORM_INVALID"
    assert fields == {"form[birth_date]", "form[nope]", "form[child_name]", "form[mother_id]"}


async def test_a_new_version_does_not_change_a_filed_dossier(world):
    uow, clock, deps = world
    await _procedure(uow, clock, simple(CIVIL, days=5))
    d = await filing.file(uow, deps, Caller.citizen(CITIZEN), "LT-KHAISINH", FORM, "k")
    v2 = await procedures.publish(uow, agency(CIVIL), "LT-KHAISINH", simple(CIVIL, days=1), clock())
    assert v2.version == 2
    assert d.procedure_version == 1 and d.parts[0].due_date == date(2027, 2, 16)
    with pytest.raises(Exception) as denied:
        await procedures.publish(uow, agency(STRANGER), "LT-KHAISINH", simple(CIVIL), clock())
    assert denied.value.reason == "NOT_PROCEDURE_OWNER"


async def test_isolation_second_citizen_and_stranger_agency_get_not_found_everywhere(world):
    uow, clock, deps = world
    await _procedure(uow, clock, simple(CIVIL))
    d = await filing.file(uow, deps, Caller.citizen(CITIZEN), "LT-KHAISINH", FORM, "k")
    other, stranger = Caller.citizen(OTHER_CITIZEN), agency(STRANGER)
    attempts = [
        filing.get_mine(uow, deps, other, d.id),
        filing.supply(uow, deps, other, d.id, {}),
        processing.get(uow, deps, stranger, d.id),
        processing.assign(uow, deps, stranger, d.id, "o1"),
        processing.request_supplement(uow, deps, stranger, d.id, "thiếu giấy"),
        processing.approve(uow, deps, stranger, d.id),
        processing.reject(uow, deps, stranger, d.id, "Điều 5"),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound) as caught:
            await attempt
        assert caught.value.reason == "DOSSIER_NOT_FOUND"
    mine, _ = await filing.list_mine(uow, deps, other, 50, "")
    inbox, _ = await processing.inbox(uow, deps, stranger, None, 50, "")
    assert mine == [] and inbox == []
    assert uow.access == []  # refused reads are not logged as reads


async def test_every_read_is_logged(world):
    uow, clock, deps = world
    await _procedure(uow, clock, simple(CIVIL))
    d = await filing.file(uow, deps, Caller.citizen(CITIZEN), "LT-KHAISINH", FORM, "k")
    await filing.get_mine(uow, deps, Caller.citizen(CITIZEN), d.id)
    await processing.get(uow, deps, agency(CIVIL), d.id)
    await processing.inbox(uow, deps, agency(CIVIL), None, 50, "")
    assert [a[4] for a in uow.access] == ["GetMyDossier", "GetDossier", "ListAgencyInbox"]


async def test_forward_only_and_a_legal_reason_to_reject(world):
    uow, clock, deps = world
    await _procedure(uow, clock, simple(CIVIL))
    d = await filing.file(uow, deps, Caller.citizen(CITIZEN), "LT-KHAISINH", FORM, "k")
    with pytest.raises(InvalidArgument):
        await processing.reject(uow, deps, agency(CIVIL), d.id, "  ")
    with pytest.raises(FailedPrecondition) as early:
        await processing.approve(uow, deps, agency(CIVIL), d.id)  # received, not yet processed
    assert early.value.reason == "STATE_TRANSITION_INVALID"
    await processing.assign(uow, deps, agency(CIVIL), d.id, "officer-7")
    done = await processing.reject(uow, deps, agency(CIVIL), d.id, "Khoản 2 Điều 16 Luật Hộ tịch")
    assert done.state is DossierState.COMPLETED and done.parts[0].reason.startswith("Khoản 2")
    with pytest.raises(FailedPrecondition):
        await processing.assign(uow, deps, agency(CIVIL), d.id, "officer-8")
    assert [h.state for h in done.parts[0].history] == [
        PartState.RECEIVED,
        PartState.PROCESSING,
        PartState.REJECTED,
    ]


async def test_the_newborn_journey_with_fee_supplement_and_results(world):
    uow, clock, deps = world
    await _procedure(uow, clock, newborn(CIVIL, POLICE, INSURANCE, fee=50_000, before=True))
    me = Caller.citizen(CITIZEN)
    d = await filing.file(uow, deps, me, "LT-KHAISINH", FORM, "k")
    assert d.state is DossierState.AWAITING_PAYMENT and d.payment_reference == d.code
    assert len(d.parts) == 3 and all(p.due_date is None for p in d.parts)
    with pytest.raises(FailedPrecondition) as unpaid:
        await processing.assign(uow, deps, agency(CIVIL), d.id, "o1")
    assert unpaid.value.reason == "FEE_NOT_PAID"
    # A payment by another agency, or short of the fee, does not count; the real one does, once.
    assert not await events.payment_succeeded(uow, deps, "e1", STRANGER, d.code, 50_000)
    assert not await events.payment_succeeded(uow, deps, "e2", CIVIL, d.code, 49_999)
    assert await events.payment_succeeded(uow, deps, "e3", CIVIL, d.code, 50_000)
    assert not await events.payment_succeeded(uow, deps, "e3", CIVIL, d.code, 50_000)
    d = await filing.get_mine(uow, deps, me, d.id)
    assert d.fee_paid and [p.due_date for p in d.parts] == [
        date(2027, 2, 12),
        date(2027, 2, 18),
        date(2027, 2, 16),
    ]
    # Each agency sees only its own part.
    police_view = await processing.get(uow, deps, agency(POLICE), d.id)
    assert [p.agency_id for p in police_view.parts] == [POLICE]
    for who in (CIVIL, POLICE, INSURANCE):
        await processing.assign(uow, deps, agency(who), d.id, f"officer-{who}")
    clock.at(date(2027, 2, 3))
    await processing.request_supplement(uow, deps, agency(POLICE), d.id, "Thiếu xác nhận nơi cư trú")
    mine = await filing.get_mine(uow, deps, me, d.id)
    assert mine.parts[1].reason == "Thiếu xác nhận nơi cư trú"
    clock.at(date(2027, 2, 22))
    with pytest.raises(InvalidArgument) as refused:  # a made-up id: not a file this citizen uploaded
        await filing.supply(uow, deps, me, d.id, {"birth_certificate": "att-123"})
    assert refused.value.reason == "ATTACHMENT_NOT_FOUND"
    scan = await attachments.upload(uow, deps, me, upload_parts(b"%PDF-1.4 giay chung sinh"), 1 << 20)
    mine = await filing.supply(uow, deps, me, d.id, {"birth_certificate": scan.id})
    assert mine.form["birth_certificate"] == scan.id
    # Police had 7 working days from Tue 2 Feb: Wed 3 counted, 6 were left; counted again from Mon 22 Feb.
    assert mine.parts[1].due_date == date(2027, 3, 2)
    uow.documents.update({"doc-civil": CIVIL, "doc-police": POLICE, "doc-ins": INSURANCE})
    with pytest.raises(FailedPrecondition) as foreign:
        await processing.return_result(uow, deps, agency(CIVIL), d.id, "doc-police")
    assert foreign.value.reason == "RESULT_DOCUMENT_UNKNOWN"
    clock.at(date(2027, 2, 23))
    for who, doc in ((CIVIL, "doc-civil"), (POLICE, "doc-police"), (INSURANCE, "doc-ins")):
        await processing.approve(uow, deps, agency(who), d.id)
        last = await processing.return_result(uow, deps, agency(who), d.id, doc)
    final = await filing.get_mine(uow, deps, me, d.id)
    assert final.state is DossierState.COMPLETED and final.complete_time == clock()
    civil, police, _insurance = final.parts
    # Civil status was due Fri 12 Feb (Wed 3, Thu 11, Fri 12) and finished Tue 23 Feb: late, with its apology letter.
    assert civil.apologies and "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in civil.apologies[0].text
    assert civil.apologies[0].new_date == date(2027, 2, 23)  # completed late: the result goes out that day
    assert (
        not police.apologies and police.working_days_used == 2
    )  # Wed 3 and Tue 23; the pause does not count
    assert last.parts[0].result_document_id == "doc-ins"
    rows, csv = await reports.on_time(
        uow, deps, agency("op", operator=True), date(2027, 2, 1), date(2027, 2, 28), "", "", True
    )
    assert {(r.agency_id, r.received, r.on_time, r.late) for r in rows} == {
        (CIVIL, 1, 0, 1),
        (POLICE, 1, 1, 0),
        (INSURANCE, 1, 0, 1),
    }
    assert csv.splitlines()[0].startswith("agency_id,procedure_code,period")
    own, _ = await reports.on_time(
        uow, deps, agency(POLICE), date(2027, 2, 1), date(2027, 2, 28), "", CIVIL, False
    )
    assert [r.agency_id for r in own] == [POLICE]  # an agency gets its own rows, whatever it asks
    notices = [e for e in uow.outbox if e.type.endswith("DossierStatusChanged")]
    assert len(notices) >= 3 + 3 + 3 + 1 + 1 + 6


async def test_an_open_late_part_gets_one_apology_from_the_sweep_and_is_listed_where_it_waited(world):
    uow, clock, deps = world
    await _procedure(uow, clock, simple(CIVIL, days=1))
    d = await filing.file(uow, deps, Caller.citizen(CITIZEN), "LT-KHAISINH", FORM, "k")
    await processing.assign(uow, deps, agency(CIVIL), d.id, "officer-9")
    clock.at(date(2027, 2, 12))  # due Wed 3 Feb
    assert await sweep.apologise_overdue(lambda: uow, deps) == 1
    assert await sweep.apologise_overdue(lambda: uow, deps) == 0
    assert await sweep.open_late(uow, deps) == {CIVIL: 1}  # the operators' dashboard gauge
    late, _ = await reports.late(uow, deps, agency(CIVIL), "", 50, "")
    # The letter of Fri 12 Feb gives one more legal time (1 working day): Mon 15 Feb.
    assert [(r.code, r.waited_in, r.officer_id, r.completed, r.new_appointment_date) for r in late] == [
        (d.code, PartState.PROCESSING, "officer-9", False, date(2027, 2, 15))
    ]
    letter = (await filing.get_mine(uow, deps, Caller.citizen(CITIZEN), d.id)).parts[0].apologies[0]
    assert (
        letter.new_date == date(2027, 2, 15) and "hẹn lại ngày trả kết quả là ngày 15/02/2027" in letter.text
    )


async def test_calendar_rules(world):
    uow, _, _ = world
    with pytest.raises(InvalidArgument) as weekday:
        await calendar.set_make_up_days(uow, 2027, [date(2027, 2, 15)], [])
    assert weekday.value.reason == "CALENDAR_INVALID"
    working, off = await calendar.set_make_up_days(uow, 2027, [date(2027, 2, 13)], [date(2027, 2, 12)])
    assert (working, off) == ([date(2027, 2, 13)], [date(2027, 2, 12)])


class CountingRegistry(RegistryReader):
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    async def read(self, personal_id: str, purpose: str) -> dict[str, str]:
        self.calls.append((personal_id, purpose))
        return {"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "nationality": "VN"}


async def test_prefill_asks_the_registry_only_with_consent(world):
    uow, clock, deps = world
    registry = CountingRegistry()
    deps = replace(deps, registry=registry)
    prefillable = replace(
        simple(CIVIL),
        components=(
            Component("full_name", "Họ tên", Kind.TEXT, True),
            Component("note", "Ghi chú", Kind.TEXT, False),
        ),
    )
    await _procedure(uow, clock, prefillable)
    me = Caller.citizen(CITIZEN)
    with pytest.raises(FailedPrecondition) as refused:
        await prefill.prefill(uow, deps, me, "LT-KHAISINH", "public_service.birth", False)
    assert refused.value.reason == "CONSENT_REQUIRED" and registry.calls == []
    with pytest.raises(InvalidArgument):
        await prefill.prefill(uow, deps, me, "LT-KHAISINH", "", True)
    form, _ = await prefill.prefill(uow, deps, me, "LT-KHAISINH", "public_service.birth", True)
    assert form == {"full_name": "Nguyễn Văn An"} and registry.calls == [(CITIZEN, "public_service.birth")]
    with pytest.raises(FailedPrecondition) as unavailable:
        await prefill.prefill(
            uow, replace(deps, registry=None), me, "LT-KHAISINH", "public_service.birth", True
        )
    assert unavailable.value.reason == "PREFILL_UNAVAILABLE"
