"""edXML export/import round trip, and signature verification results travelling with the document."""

from __future__ import annotations

import uuid

import grpc
import pytest

from lienthong.documents.v1 import documents_pb2 as pb

from .conftest import Agency, Docs, metadata
from .pki import Pki, plain_pdf, tamper

pytestmark = pytest.mark.postgres


async def _export(agency: Agency, document_id: str) -> bytes:
    stream = agency.ExportEdxml(pb.ExportEdxmlRequest(document_id=document_id))
    return b"".join([m.chunk async for m in stream])


async def _import(agency: Agency, package: bytes, key: str = "") -> pb.Document:
    pieces = [package[i : i + 50_000] for i in range(0, len(package), 50_000)]
    requests = [pb.ImportEdxmlRequest(idempotency_key=key or uuid.uuid4().hex, chunk=p) for p in pieces]
    return (await agency.stub.ImportEdxml(iter(requests), metadata=agency.md, timeout=60)).document


def _same_document(a: pb.Document, b: pb.Document) -> None:
    assert a.metadata == b.metadata
    assert a.sender_code == b.sender_code
    assert sorted(r.code for r in a.recipients) == sorted(r.code for r in b.recipients)
    assert [
        (x.file_name, x.content_type, x.size_bytes, x.sha256, x.signature.state) for x in a.attachments
    ] == [(x.file_name, x.content_type, x.size_bytes, x.sha256, x.signature.state) for x in b.attachments]


async def test_an_exported_package_reimports_to_the_same_document(docs: Docs):
    province, ministry, other = await docs.agency(), await docs.agency(), await docs.agency()
    signed = await docs.pki.sign(plain_pdf())
    pdf = await province.upload(signed, name="quyet-dinh.pdf")
    annex = await province.upload(
        bytes(range(256)) * 5000, name="phu-luc.bin", content_type="application/octet-stream"
    )
    sent = (
        await province.SendDocument(
            pb.SendDocumentRequest(
                idempotency_key=uuid.uuid4().hex,
                metadata=metadata(pb.URGENCY_EXPRESS, number="15/2026/QĐ-UBND"),
                recipient_codes=[ministry.code, other.code],
                attachment_ids=[pdf.attachment_id, annex.attachment_id],
            )
        )
    ).document
    await ministry.AcknowledgeReceipt(pb.AcknowledgeReceiptRequest(document_id=sent.document_id))

    package = await _export(province, sent.document_id)
    assert b"<edXML:ContentTransferEncoded>" in package and b"PROCESSING_STATUS" not in package
    assert b"<lt:StatusCode>ARRIVED</lt:StatusCode>" in package
    again = await _import(province, package)
    assert again.document_id != sent.document_id
    _same_document(sent, again)
    # The trace keeps the original hop and adds the new one.
    assert [h.code for h in again.trace] == [province.code, province.code]
    # The recipient's export shows only itself and re-imports nowhere (it is not the package's sender).
    mine = await _export(ministry, sent.document_id)
    assert other.code.encode() not in mine
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await _import(ministry, mine)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    # An import is idempotent on its key.
    key = uuid.uuid4().hex
    assert (await _import(province, package, key)).document_id == (
        await _import(province, package, key)
    ).document_id


async def test_malformed_packages_are_refused(docs: Docs):
    province, ministry = await docs.agency(), await docs.agency()
    sent = await province.send([ministry])
    package = await _export(province, sent.document_id)
    for broken in (
        package[: len(package) // 2],
        b"<edXML><not closed",
        package.replace(b"JVBERi", b"!!!!!!"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await _import(province, broken)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_tampered_and_untrusted_signatures_are_reported_invalid(docs: Docs):
    sender, receiver = await docs.agency(), await docs.agency()
    signed = await docs.pki.sign(plain_pdf("Quyet dinh 15"))
    tampered = await sender.upload(tamper(signed))
    assert tampered.signature.state == pb.SIGNATURE_STATE_INVALID
    assert tampered.signature.problem == "the signed content was modified"
    stranger = await Pki.create("Unknown CA").sign(plain_pdf())
    untrusted = await sender.upload(stranger)
    assert untrusted.signature.state == pb.SIGNATURE_STATE_INVALID
    assert "trust list" in untrusted.signature.problem
    appended = await sender.upload(signed + b"\n% appended after signing\n")
    assert appended.signature.state == pb.SIGNATURE_STATE_INVALID
    unsigned = await sender.upload(plain_pdf())
    assert unsigned.signature.state == pb.SIGNATURE_STATE_UNSIGNED
    text = await sender.upload(b"hello", name="a.txt", content_type="text/plain")
    assert text.signature.state == pb.SIGNATURE_STATE_NOT_APPLICABLE

    # The result travels with the document to the recipient; a strict recipient refuses the invalid one.
    doc = (
        await sender.SendDocument(
            pb.SendDocumentRequest(
                idempotency_key=uuid.uuid4().hex,
                metadata=metadata(),
                recipient_codes=[receiver.code],
                attachment_ids=[tampered.attachment_id],
            )
        )
    ).document
    seen = (await receiver.GetDocument(pb.GetDocumentRequest(document_id=doc.document_id))).document
    assert seen.attachments[0].signature.state == pb.SIGNATURE_STATE_INVALID
    assert seen.attachments[0].signature.signer == "Nguyễn Văn A"
    await receiver.SetReceivePolicy(pb.SetReceivePolicyRequest(refuse_invalid_signature=True))
    again = await sender.upload(tamper(signed))
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await sender.SendDocument(
            pb.SendDocumentRequest(
                idempotency_key=uuid.uuid4().hex,
                metadata=metadata(),
                recipient_codes=[receiver.code],
                attachment_ids=[again.attachment_id],
            )
        )
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
