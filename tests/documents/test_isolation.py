"""A document sent to two agencies is invisible to a third, whatever RPC it tries (on PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest

from lienthong.documents.v1 import documents_pb2 as pb
from lienthong_runtime.contract import contract_methods

from .conftest import Agency, Docs, metadata

pytestmark = pytest.mark.postgres

#: RPCs that take no document: the directory, the agency's own policy and uploads of its own attachments.
NO_DOCUMENT = {
    "RegisterAgency",
    "GetDirectoryAgency",
    "SearchDirectoryAgencies",
    "SetReceivePolicy",
    "UploadAttachment",
}


async def _collect(stream: Any) -> list[Any]:
    return [item async for item in stream]


def _attempts(outsider: Agency, doc: pb.Document) -> dict[str, Callable[[str], Awaitable[Any]]]:
    """For each RPC, a call by ``outsider`` aimed at the document id given."""
    att = doc.attachments[0].attachment_id

    async def package(doc_id: str) -> Any:
        xml = (
            '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016" xmlns:lt="urn:lienthong:edxml:1">'
            f"<MessageHeader><From><OrganId>{outsider.code}</OrganId></From>"
            f"<To><OrganId>{doc.sender_code}</OrganId></To><Code><CodeNumber>1</CodeNumber></Code>"
            "<DocumentType><TypeName>Công văn</TypeName></DocumentType><Subject>Trả lời</Subject>"
            "<SignerInfo><FullName>B</FullName></SignerInfo>"
            f"<lt:Relation>REPLY</lt:Relation><lt:RelatedDocumentId>{doc_id}</lt:RelatedDocumentId>"
            "</MessageHeader><AttachmentEncoded><Attachment><AttachmentName>a.txt</AttachmentName>"
            "<ContentType>text/plain</ContentType><ContentTransferEncoded>YWJj</ContentTransferEncoded>"
            "</Attachment></AttachmentEncoded></edXML>"
        )
        request = pb.ImportEdxmlRequest(idempotency_key=uuid.uuid4().hex, chunk=xml.encode())
        return await outsider.stub.ImportEdxml(iter([request]), metadata=outsider.md, timeout=30)

    async def reply(doc_id: str) -> Any:
        mine = await outsider.upload(b"%PDF-1.4 reply")
        return await outsider.SendDocument(
            pb.SendDocumentRequest(
                idempotency_key=uuid.uuid4().hex,
                metadata=metadata(),
                recipient_codes=[doc.sender_code],
                attachment_ids=[mine.attachment_id],
                related_document_id=doc_id,
                relation=pb.RELATION_REPLY,
            )
        )

    async def steal_attachment(doc_id: str) -> Any:
        return await outsider.SendDocument(
            pb.SendDocumentRequest(
                idempotency_key=uuid.uuid4().hex,
                metadata=metadata(),
                recipient_codes=[doc.sender_code],
                attachment_ids=[att],
            )
        )

    return {
        "GetDocument": lambda d: outsider.GetDocument(pb.GetDocumentRequest(document_id=d)),
        "DownloadAttachment": lambda d: _collect(
            outsider.DownloadAttachment(pb.DownloadAttachmentRequest(document_id=d, attachment_id=att))
        ),
        "GetDocumentStatus": lambda d: outsider.GetDocumentStatus(pb.GetDocumentStatusRequest(document_id=d)),
        "ListDocumentAccess": lambda d: outsider.ListDocumentAccess(
            pb.ListDocumentAccessRequest(document_id=d)
        ),
        "ExportEdxml": lambda d: _collect(outsider.ExportEdxml(pb.ExportEdxmlRequest(document_id=d))),
        "AcknowledgeReceipt": lambda d: outsider.AcknowledgeReceipt(
            pb.AcknowledgeReceiptRequest(document_id=d)
        ),
        "ReportStatus": lambda d: outsider.ReportStatus(
            pb.ReportStatusRequest(document_id=d, status=pb.PROCESSING_STATUS_COMPLETED)
        ),
        "AcknowledgeRecall": lambda d: outsider.AcknowledgeRecall(pb.AcknowledgeRecallRequest(document_id=d)),
        "RecallDocument": lambda d: outsider.RecallDocument(
            pb.RecallDocumentRequest(document_id=d, reason="x")
        ),
        "SendDocument": reply,
        "SendDocument (another agency's attachment)": steal_attachment,
        "ImportEdxml": package,
    }


async def test_a_third_agency_sees_nothing_on_any_rpc(docs: Docs):
    sender, first, second, third = [await docs.agency() for _ in range(4)]
    doc = await sender.send([first, second])
    await sender.RecallDocument(pb.RecallDocumentRequest(document_id=doc.document_id, reason="Thu hồi"))
    attempts = _attempts(third, doc)
    covered = {name.split(" ")[0] for name in attempts} | {"ListInbox", "ListSent", "SubscribeInbox"}
    service_methods = {m.rsplit("/", 1)[1] for m in contract_methods() if ".documents." in m}
    assert service_methods - NO_DOCUMENT == covered, "every document RPC is tried by the outsider"

    never_existed = f"doc_{uuid.uuid4().hex}"
    for name, attempt in attempts.items():
        answers = []
        for target in (doc.document_id, never_existed):
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await attempt(target)
            answers.append((err.value.code(), err.value.details()))
        # Exactly the answer for an id that never existed: nothing tells the document exists.
        assert answers[0] == answers[1], name
        assert answers[0][0] == grpc.StatusCode.NOT_FOUND, (name, answers[0])

    assert (await third.ListInbox(pb.ListInboxRequest())).documents == []
    assert (await third.ListSent(pb.ListSentRequest())).documents == []
    feed = third.stub.SubscribeInbox(pb.SubscribeInboxRequest(), metadata=third.md)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(feed.read(), timeout=1.0)
    feed.cancel()

    # The addressed recipients see it, each only itself among the recipients; the sender sees both.
    for recipient in (first, second):
        seen = (await recipient.GetDocument(pb.GetDocumentRequest(document_id=doc.document_id))).document
        assert [r.code for r in seen.recipients] == [recipient.code]
    seen = (await sender.GetDocument(pb.GetDocumentRequest(document_id=doc.document_id))).document
    assert sorted(r.code for r in seen.recipients) == sorted([first.code, second.code])
    # No access by the third agency was logged against the document.
    log = await sender.ListDocumentAccess(pb.ListDocumentAccessRequest(document_id=doc.document_id))
    assert third.code not in {a.agency_code for a in log.accesses}
