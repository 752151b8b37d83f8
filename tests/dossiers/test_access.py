"""Access beyond the citizen/agency split on PostgreSQL through gRPC: an officer sees and acts only on the parts
assigned to them; attachments are the filing citizen's own uploads, sealed at rest, read by the agency."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import text

from lienthong.dossiers.v1 import dossiers_pb2 as pb
from lienthong_runtime.db import create_engine

from .conftest import FORM, new_procedure_code, procedure_spec

pytestmark = pytest.mark.postgres


async def test_an_officer_sees_and_acts_only_on_parts_assigned_to_them(world, pg_url):
    agency = world.agency()
    code = new_procedure_code()
    await agency.CreateProcedure(pb.CreateProcedureRequest(code=code, spec=procedure_spec([(agency.id, 5)])))
    citizen = world.citizen()
    filed = [
        (
            await citizen.FileDossier(
                pb.FileDossierRequest(procedure_code=code, form=FORM, idempotency_key=f"k{i}")
            )
        ).dossier
        for i in range(3)
    ]
    an, binh = world.officer(agency.id), world.officer(agency.id)
    await agency.AssignDossier(pb.AssignDossierRequest(dossier_id=filed[0].id, officer_id=an.id))
    await agency.AssignDossier(pb.AssignDossierRequest(dossier_id=filed[1].id, officer_id=binh.id))
    inbox = (await an.ListAgencyInbox(pb.ListAgencyInboxRequest())).dossiers
    assert [x.id for x in inbox] == [filed[0].id]
    assert len((await agency.ListAgencyInbox(pb.ListAgencyInboxRequest())).dossiers) == 3
    # Another officer's part and an unassigned one: NOT_FOUND on every RPC naming a dossier.
    document_id = await world.document_sent(agency.id)
    for other in (filed[1].id, filed[2].id):
        calls = {
            "GetDossier": pb.GetDossierRequest(dossier_id=other),
            "RequestSupplement": pb.RequestSupplementRequest(dossier_id=other, reason="x"),
            "ApproveDossier": pb.ApproveDossierRequest(dossier_id=other),
            "RejectDossier": pb.RejectDossierRequest(dossier_id=other, legal_reason="x"),
            "ReturnResult": pb.ReturnResultRequest(dossier_id=other, result_document_id=document_id),
        }
        for name, request in calls.items():
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await getattr(an, name)(request)
            assert caught.value.code() is grpc.StatusCode.NOT_FOUND, name
    # Assigning is the agency's one-stop-shop system's: the officer's token lacks the scope.
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await an.AssignDossier(pb.AssignDossierRequest(dossier_id=filed[0].id, officer_id=an.id))
    assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED
    # An officer of another agency with the same client id sees nothing.
    twin = world.officer(world.agency().id, an.id)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await twin.GetDossier(pb.GetDossierRequest(dossier_id=filed[0].id))
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND
    # Their own part: read and acted on, each logged as the officer's.
    got = (await an.GetDossier(pb.GetDossierRequest(dossier_id=filed[0].id))).dossier
    assert got.parts[0].officer_id == an.id
    asked = await an.RequestSupplement(
        pb.RequestSupplementRequest(dossier_id=filed[0].id, reason="Thiếu ảnh")
    )
    assert asked.dossier.parts[0].state == pb.PART_STATE_AWAITING_SUPPLEMENT
    engine = create_engine(pg_url)
    try:
        async with engine.connect() as conn:
            logged = (
                await conn.execute(
                    text(
                        "SELECT actor_kind, actor, action FROM dossier_access_log WHERE dossier_id = :d "
                        "AND actor_kind = 'officer' ORDER BY id"
                    ),
                    {"d": filed[0].id},
                )
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in logged] == [
        ("officer", an.id, "ListAgencyInbox"),
        ("officer", an.id, "GetDossier"),
        ("officer", an.id, "RequestSupplement"),
    ]


async def test_attachments_are_the_citizens_own_uploads_sealed_and_read_by_the_agency(world, pg_url):
    agency = world.agency()
    code = new_procedure_code()
    spec = procedure_spec([(agency.id, 5)])
    spec.components.append(
        pb.Component(name="birth_certificate", label="Giấy chứng sinh", kind=pb.COMPONENT_KIND_ATTACHMENT)
    )
    await agency.CreateProcedure(pb.CreateProcedureRequest(code=code, spec=spec))
    owner, other = world.citizen(), world.citizen()
    content = b"%PDF-1.4 giay chung sinh " * 100_000  # 2.5 MB: three sealed pieces

    async def upload(client, data: bytes) -> pb.DossierAttachment:  # type: ignore[no-untyped-def]
        async def parts():  # type: ignore[no-untyped-def]
            yield pb.UploadDossierAttachmentRequest(
                header=pb.DossierAttachmentHeader(
                    file_name="giay-chung-sinh.pdf", content_type="application/pdf"
                )
            )
            for i in range(0, len(data), 1 << 20):
                yield pb.UploadDossierAttachmentRequest(chunk=data[i : i + (1 << 20)])

        return (await client.UploadDossierAttachment(parts())).attachment

    with pytest.raises(grpc.aio.AioRpcError) as machine:  # an agency's client is not a citizen
        await upload(agency, b"x")
    assert machine.value.code() is grpc.StatusCode.PERMISSION_DENIED
    mine, theirs = await upload(owner, content), await upload(other, b"khac")
    assert mine.size_bytes == len(content) and len(mine.sha256) == 64
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await owner.FileDossier(
            pb.FileDossierRequest(
                procedure_code=code,
                form={**FORM, "birth_certificate": theirs.attachment_id},
                idempotency_key="x",
            )
        )
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    filed = (
        await owner.FileDossier(
            pb.FileDossierRequest(
                procedure_code=code,
                form={**FORM, "birth_certificate": mine.attachment_id},
                idempotency_key="k",
            )
        )
    ).dossier
    stream = agency.GetDossierAttachment(
        pb.GetDossierAttachmentRequest(dossier_id=filed.id, attachment_id=mine.attachment_id)
    )
    replies = [m async for m in stream]
    assert replies[0].attachment.file_name == "giay-chung-sinh.pdf"
    assert b"".join(m.chunk for m in replies) == content
    engine = create_engine(pg_url)
    try:
        async with engine.connect() as conn:
            pieces = (await conn.execute(text("SELECT sealed FROM dossier_attachment_pieces"))).all()
    finally:
        await engine.dispose()
    assert len(pieces) == 3 + 1 and not any(b"giay chung sinh" in bytes(p.sealed) for p in pieces)
