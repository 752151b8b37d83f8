"""The dossiers service on PostgreSQL through gRPC: the newborn linked procedure with its fee, a supplement, the
signed results, notices, the report and the late list with apology letters; sealed personal data at rest."""

from __future__ import annotations

import asyncio
from datetime import date

import grpc
import pytest
from sqlalchemy import text

from lienthong.common.v1 import date_pb2
from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.dossiers.v1 import dossiers_pb2 as pb
from lienthong.dossiers.v1 import events_pb2
from lienthong_runtime.db import create_engine
from lienthong_runtime.events import connect_bus

from .conftest import FORM, new_procedure_code, procedure_spec

pytestmark = pytest.mark.postgres


def d(day: date) -> date_pb2.Date:
    return date_pb2.Date(year=day.year, month=day.month, day=day.day)


async def _notices(world) -> list[events_pb2.DossierStatusChanged]:
    seen: list[events_pb2.DossierStatusChanged] = []

    async def handler(event: EventEnvelope) -> None:
        message = events_pb2.DossierStatusChanged()
        event.payload.Unpack(message)
        seen.append(message)

    await connect_bus(world.app.settings.bus_url).subscribe(
        "test-notify", [events_pb2.DossierStatusChanged.DESCRIPTOR.full_name], handler
    )
    return seen


async def _eventually(check, tries: int = 100):
    for _ in range(tries):
        if await check():
            return
        await asyncio.sleep(0.05)
    assert await check()


async def test_the_newborn_journey_on_postgresql(world, pg_url):
    notices = await _notices(world)
    civil, police, insurance = world.agency(), world.agency(), world.agency()
    code = new_procedure_code()
    spec = procedure_spec([(civil.id, 3), (police.id, 7), (insurance.id, 5)], fee=50_000, before=True)
    created = (await civil.CreateProcedure(pb.CreateProcedureRequest(code=code, spec=spec))).procedure
    assert created.version == 1
    citizen = world.citizen()
    filed = (
        await citizen.FileDossier(pb.FileDossierRequest(procedure_code=code, form=FORM, idempotency_key="k1"))
    ).dossier
    again = (
        await citizen.FileDossier(pb.FileDossierRequest(procedure_code=code, form=FORM, idempotency_key="k1"))
    ).dossier
    assert again.id == filed.id and filed.state == pb.DOSSIER_STATE_AWAITING_PAYMENT
    assert filed.payment_reference == filed.code
    await world.payment_succeeded(civil.id, filed.code, 50_000)

    async def paid() -> bool:
        got = (await citizen.GetMyDossier(pb.GetMyDossierRequest(dossier_id=filed.id))).dossier
        return got.fee_paid

    await _eventually(paid)
    inbox = (await police.ListAgencyInbox(pb.ListAgencyInboxRequest())).dossiers
    assert [x.id for x in inbox] == [filed.id] and [p.agency_id for p in inbox[0].parts] == [police.id]
    assert inbox[0].parts[0].due_date == d(date(2027, 2, 18))
    for agency in (civil, police, insurance):
        await agency.AssignDossier(
            pb.AssignDossierRequest(dossier_id=filed.id, officer_id=f"cb-{agency.id[-4:]}")
        )
    world.clock.at(date(2027, 2, 3))
    await police.RequestSupplement(
        pb.RequestSupplementRequest(dossier_id=filed.id, reason="Thiếu xác nhận cư trú")
    )
    world.clock.at(date(2027, 2, 22))
    supplied = (
        await citizen.SupplyDossier(pb.SupplyDossierRequest(dossier_id=filed.id, form={"note": "đã bổ sung"}))
    ).dossier
    assert supplied.parts[1].due_date == d(date(2027, 3, 2)) and supplied.form["note"] == "đã bổ sung"
    world.clock.at(date(2027, 2, 23))
    for agency in (civil, police, insurance):
        document_id = await world.document_sent(agency.id)
        await agency.ApproveDossier(pb.ApproveDossierRequest(dossier_id=filed.id))
        await agency.ReturnResult(pb.ReturnResultRequest(dossier_id=filed.id, result_document_id=document_id))
    final = (await citizen.GetMyDossier(pb.GetMyDossierRequest(dossier_id=filed.id))).dossier
    assert final.state == pb.DOSSIER_STATE_COMPLETED
    assert [bool(p.apologies) for p in final.parts] == [True, False, True]  # civil and insurance were late
    assert all(p.result_document_id for p in final.parts)
    assert [h.state for h in final.parts[1].history] == [
        pb.PART_STATE_AWAITING_PAYMENT,
        pb.PART_STATE_RECEIVED,
        pb.PART_STATE_PROCESSING,
        pb.PART_STATE_AWAITING_SUPPLEMENT,
        pb.PART_STATE_PROCESSING,
        pb.PART_STATE_APPROVED,
        pb.PART_STATE_RESULT_RETURNED,
    ]
    assert final.parts[1].history[3].reason == "Thiếu xác nhận cư trú"
    operator = world.agency(operator=True)
    report = await operator.GetOnTimeReport(
        pb.GetOnTimeReportRequest(
            start_date=d(date(2027, 2, 1)),
            end_date=d(date(2027, 2, 28)),
            procedure_code=code,
            include_csv=True,
        )
    )
    assert {(r.agency_id, r.received, r.on_time, r.late) for r in report.rows} == {
        (civil.id, 1, 0, 1),
        (police.id, 1, 1, 0),
        (insurance.id, 1, 0, 1),
    }
    police_row = next(r for r in report.rows if r.agency_id == police.id)
    assert police_row.average_working_days == 2.0 and police_row.period == "2027-02"
    assert len(report.csv.splitlines()) == 4
    late = (await operator.ListLateDossiers(pb.ListLateDossiersRequest())).dossiers
    assert {(x.agency_id, x.waited_in, x.completed) for x in late if x.dossier_id == filed.id} == {
        (civil.id, pb.PART_STATE_PROCESSING, True),
        (insurance.id, pb.PART_STATE_PROCESSING, True),
    }

    async def told() -> bool:
        return any(n.state == "PART_STATE_RESULT_RETURNED" for n in notices) and any(
            n.apology_text for n in notices
        )

    await _eventually(told)
    assert {n.citizen_personal_id for n in notices} == {citizen.id}
    # Personal data is sealed at rest: neither the personal ID nor a form value appears in any row.
    engine = create_engine(pg_url)
    async with engine.connect() as conn:
        for table in ("dossiers", "dossier_parts", "dossier_part_history", "outbox"):
            dump = str((await conn.execute(text(f"SELECT * FROM {table}"))).all())
            assert citizen.id not in dump and "Nguyễn" not in dump, table
        reads = (await conn.execute(text("SELECT count(*) FROM dossier_access_log"))).scalar_one()
    await engine.dispose()
    assert reads >= 10


async def test_an_overdue_part_gets_its_apology_from_the_sweep_and_counts_late(world):
    from lienthong_dossiers.handlers import sweep

    agency = world.agency()
    code = new_procedure_code()
    await agency.CreateProcedure(pb.CreateProcedureRequest(code=code, spec=procedure_spec([(agency.id, 1)])))
    citizen = world.citizen()
    filed = (
        await citizen.FileDossier(pb.FileDossierRequest(procedure_code=code, form=FORM, idempotency_key="k"))
    ).dossier
    await agency.AssignDossier(pb.AssignDossierRequest(dossier_id=filed.id, officer_id="cb-1"))
    world.clock.at(date(2027, 2, 15))
    mine = (await citizen.GetMyDossier(pb.GetMyDossierRequest(dossier_id=filed.id))).dossier
    assert not mine.parts[0].apologies
    issued = await sweep.apologise_overdue(world.uow, world.deps)  # one round of the service's background job
    assert issued == 1
    assert await sweep.open_late(world.uow(), world.deps) == {agency.id: 1}
    mine = (await citizen.GetMyDossier(pb.GetMyDossierRequest(dossier_id=filed.id))).dossier
    letter = mine.parts[0].apologies[0]
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in letter.text
    # Letter of Mon 15 Feb 2027: one more legal time (1 working day) gives Tue 16 Feb, stored and named.
    assert letter.new_appointment_date == d(date(2027, 2, 16))
    assert "hẹn lại ngày trả kết quả là ngày 16/02/2027" in letter.text
    report = await agency.GetOnTimeReport(
        pb.GetOnTimeReportRequest(start_date=d(date(2027, 2, 1)), end_date=d(date(2027, 2, 28)))
    )
    assert [(r.received, r.on_time, r.late) for r in report.rows] == [(1, 0, 1)]
    late = (await agency.ListLateDossiers(pb.ListLateDossiersRequest())).dossiers
    assert [(x.code, x.waited_in, x.officer_id, x.new_appointment_date) for x in late] == [
        (filed.code, pb.PART_STATE_PROCESSING, "cb-1", d(date(2027, 2, 16)))
    ]


async def test_isolation_matrix_every_dossier_rpc(world):
    agency, stranger = world.agency(), world.agency()
    code = new_procedure_code()
    await agency.CreateProcedure(pb.CreateProcedureRequest(code=code, spec=procedure_spec([(agency.id, 5)])))
    owner, other = world.citizen(), world.citizen()
    filed = (
        await owner.FileDossier(pb.FileDossierRequest(procedure_code=code, form=FORM, idempotency_key="k"))
    ).dossier
    citizen_calls = {
        "GetMyDossier": pb.GetMyDossierRequest(dossier_id=filed.id),
        "SupplyDossier": pb.SupplyDossierRequest(dossier_id=filed.id, form={"note": "x"}),
    }
    agency_calls = {
        "GetDossier": pb.GetDossierRequest(dossier_id=filed.id),
        "AssignDossier": pb.AssignDossierRequest(dossier_id=filed.id, officer_id="x"),
        "RequestSupplement": pb.RequestSupplementRequest(dossier_id=filed.id, reason="x"),
        "ApproveDossier": pb.ApproveDossierRequest(dossier_id=filed.id),
        "RejectDossier": pb.RejectDossierRequest(dossier_id=filed.id, legal_reason="x"),
    }
    document_id = await world.document_sent(stranger.id)
    agency_calls["ReturnResult"] = pb.ReturnResultRequest(dossier_id=filed.id, result_document_id=document_id)
    agency_calls["GetDossierAttachment"] = pb.GetDossierAttachmentRequest(
        dossier_id=filed.id, attachment_id="a"
    )
    tried = 0
    for client, calls in ((other, citizen_calls), (stranger, agency_calls)):
        for name, request in calls.items():
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                reply = getattr(client, name)(request)
                if name == "GetDossierAttachment":  # a stream: the status comes with the first read
                    [m async for m in reply]
                else:
                    await reply
            assert caught.value.code() is grpc.StatusCode.NOT_FOUND, name
            tried += 1
    assert tried == len(citizen_calls) + len(agency_calls) == 9
    # Every dossier RPC of the contract is in the matrix (a new one must be added here).
    from lienthong.dossiers.v1 import dossiers_pb2

    naming = {
        m.name
        for m in dossiers_pb2.DESCRIPTOR.services_by_name["DossiersService"].methods
        if "dossier_id" in m.input_type.fields_by_name
    }
    assert naming == set(citizen_calls) | set(agency_calls)
    assert (await other.ListMyDossiers(pb.ListMyDossiersRequest())).dossiers == []
    assert (await stranger.ListAgencyInbox(pb.ListAgencyInboxRequest())).dossiers == []
    # The owner and the addressed agency still see it.
    assert (await owner.GetMyDossier(pb.GetMyDossierRequest(dossier_id=filed.id))).dossier.id == filed.id
    assert (await agency.GetDossier(pb.GetDossierRequest(dossier_id=filed.id))).dossier.id == filed.id


async def test_bad_input_gets_clear_statuses(world):
    agency = world.agency()
    with pytest.raises(grpc.aio.AioRpcError) as bad_spec:
        await agency.CreateProcedure(pb.CreateProcedureRequest(code="x", spec=pb.ProcedureSpec()))
    assert bad_spec.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as machine:
        await agency.FileDossier(pb.FileDossierRequest(procedure_code="LT-X", idempotency_key="k"))
    assert machine.value.code() is grpc.StatusCode.PERMISSION_DENIED
    citizen = world.citizen()
    with pytest.raises(grpc.aio.AioRpcError) as citizen_inbox:
        await citizen.ListAgencyInbox(pb.ListAgencyInboxRequest())
    assert citizen_inbox.value.code() is grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as size:
        await citizen.ListMyDossiers(pb.ListMyDossiersRequest(page_size=501))
    assert size.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as token:
        await citizen.ListMyDossiers(pb.ListMyDossiersRequest(page_token="garbage"))
    assert token.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as not_operator:
        await agency.SetMakeUpDays(pb.SetMakeUpDaysRequest(year=2027))
    assert not_operator.value.code() is grpc.StatusCode.PERMISSION_DENIED
    operator = world.agency(operator=True)
    days = await operator.SetMakeUpDays(
        pb.SetMakeUpDaysRequest(year=2027, working_days=[d(date(2027, 2, 13))])
    )
    assert list(days.working_days) == [d(date(2027, 2, 13))]


async def test_pages_of_my_dossiers_and_the_inbox(world):
    agency = world.agency()
    code = new_procedure_code()
    await agency.CreateProcedure(pb.CreateProcedureRequest(code=code, spec=procedure_spec([(agency.id, 5)])))
    citizen = world.citizen()
    ids = set()
    for i in range(5):
        filed = await citizen.FileDossier(
            pb.FileDossierRequest(procedure_code=code, form=FORM, idempotency_key=f"k{i}")
        )
        ids.add(filed.dossier.id)
    for method, request_cls, field in (
        (citizen.ListMyDossiers, pb.ListMyDossiersRequest, "dossiers"),
        (agency.ListAgencyInbox, pb.ListAgencyInboxRequest, "dossiers"),
    ):
        seen, token = [], ""
        while True:
            page = await method(request_cls(page_size=2, page_token=token))
            seen += [x.id for x in getattr(page, field)]
            token = page.next_page_token
            if not token:
                break
        assert sorted(seen) == sorted(ids)
    procs = await agency.ListProcedures(pb.ListProceduresRequest(agency_id=agency.id))
    assert [p.code for p in procs.procedures] == [code]


async def test_concurrent_filings_with_one_key_make_one_dossier(world, pg_url):
    agency = world.agency()
    code = new_procedure_code()
    await agency.CreateProcedure(pb.CreateProcedureRequest(code=code, spec=procedure_spec([(agency.id, 5)])))
    citizen = world.citizen()
    request = pb.FileDossierRequest(procedure_code=code, form=FORM, idempotency_key="same-key")
    results = await asyncio.gather(*(citizen.FileDossier(request) for _ in range(8)), return_exceptions=True)
    ids = {r.dossier.id for r in results if not isinstance(r, BaseException)}
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(ids) == 1  # every caller that got an answer got the same dossier
    assert all(isinstance(r, grpc.aio.AioRpcError) and r.code() is grpc.StatusCode.ABORTED for r in refused)
    engine = create_engine(pg_url)
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM dossiers"))).scalar_one() == 1
    await engine.dispose()


async def test_the_report_as_a_csv_download_on_the_http_side(world):
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    agency = world.agency()
    code = new_procedure_code()
    await agency.CreateProcedure(pb.CreateProcedureRequest(code=code, spec=procedure_spec([(agency.id, 5)])))
    await world.citizen().FileDossier(
        pb.FileDossierRequest(procedure_code=code, form=FORM, idempotency_key="k")
    )
    http = web.Application()
    for method, path, handler in world.app.http_routes:
        http.router.add_route(method, path, handler)
    async with TestClient(TestServer(http)) as client:
        query = {"start": "2027-02-01", "end": "2027-02-28"}
        token = world.mint.token(("dossiers.reports.read",), agency=agency.id)
        reply = await client.get(
            "/v1/onTimeReport.csv", params=query, headers={"Authorization": f"Bearer {token}"}
        )
        assert reply.status == 200 and reply.content_type == "text/csv"
        lines = (await reply.text()).splitlines()
        assert lines[0].startswith("agency_id,procedure_code,period,received")
        assert lines[1].startswith(f"{agency.id},{code},2027-02,1,0,0,")
        assert (await client.get("/v1/onTimeReport.csv", params=query)).status == 401
        citizen = world.mint.token(("citizen.self",), kind="citizen", pid="001090000001")
        denied = await client.get(
            "/v1/onTimeReport.csv", params=query, headers={"Authorization": f"Bearer {citizen}"}
        )
        assert denied.status == 403
        bad = await client.get(
            "/v1/onTimeReport.csv",
            params={"start": "2027-02-31"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert bad.status == 400 and (await bad.json())["reason"] == "INVALID_ARGUMENT"
