"""Sending, receiving and following a document end to end on PostgreSQL."""

from __future__ import annotations

import grpc
import pytest

from lienthong.documents.v1 import documents_pb2 as pb

from .conftest import Docs, metadata
from .pki import plain_pdf

pytestmark = pytest.mark.postgres


async def test_a_signed_decision_reaches_a_ministry_which_completes_it(docs: Docs):
    province, ministry = (
        await docs.agency("UBND Thành phố Hà Nội"),
        await docs.agency("Bộ Nội vụ", province=""),
    )
    signed = await docs.pki.sign(plain_pdf())
    sent = await province.send([ministry], signed, meta=metadata(pb.URGENCY_EXPRESS))
    [attachment] = sent.attachments
    assert attachment.signature.state == pb.SIGNATURE_STATE_VALID
    assert attachment.signature.signer == "Nguyễn Văn A"
    assert sent.recipients[0].status == pb.PROCESSING_STATUS_DELIVERED

    inbox = await ministry.ListInbox(pb.ListInboxRequest())
    assert [d.document_id for d in inbox.documents] == [sent.document_id]
    got = (await ministry.GetDocument(pb.GetDocumentRequest(document_id=sent.document_id))).document
    assert got.metadata.number_symbol == "12/QĐ-UBND" and got.sender_code == province.code
    content = b"".join(
        [
            m.chunk
            async for m in ministry.DownloadAttachment(
                pb.DownloadAttachmentRequest(
                    document_id=sent.document_id, attachment_id=attachment.attachment_id
                )
            )
        ]
    )
    assert content == signed

    await ministry.AcknowledgeReceipt(pb.AcknowledgeReceiptRequest(document_id=sent.document_id))
    for status in (
        pb.PROCESSING_STATUS_RECEIVED,
        pb.PROCESSING_STATUS_ASSIGNED,
        pb.PROCESSING_STATUS_COMPLETED,
    ):
        reply = await ministry.ReportStatus(
            pb.ReportStatusRequest(document_id=sent.document_id, status=status)
        )
        assert reply.changed
    # A late report never moves a final state back.
    late = await ministry.ReportStatus(
        pb.ReportStatusRequest(document_id=sent.document_id, status=pb.PROCESSING_STATUS_PROCESSING)
    )
    assert not late.changed and late.recipient.status == pb.PROCESSING_STATUS_COMPLETED

    status = await province.GetDocumentStatus(pb.GetDocumentStatusRequest(document_id=sent.document_id))
    [history] = status.recipients
    assert history.recipient.status == pb.PROCESSING_STATUS_COMPLETED
    assert [h.status for h in history.history] == [
        pb.PROCESSING_STATUS_DELIVERED,
        pb.PROCESSING_STATUS_ARRIVED,
        pb.PROCESSING_STATUS_RECEIVED,
        pb.PROCESSING_STATUS_ASSIGNED,
        pb.PROCESSING_STATUS_COMPLETED,
    ]
    log = await province.ListDocumentAccess(pb.ListDocumentAccessRequest(document_id=sent.document_id))
    actions = {(a.agency_code, a.action) for a in log.accesses}
    assert {(ministry.code, "GetDocument"), (ministry.code, "DownloadAttachment")} <= actions


async def test_refusal_needs_a_reason_and_is_final(docs: Docs):
    sender, receiver = await docs.agency(), await docs.agency()
    sent = await sender.send([receiver])
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await receiver.ReportStatus(
            pb.ReportStatusRequest(document_id=sent.document_id, status=pb.PROCESSING_STATUS_REFUSED)
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    refused = await receiver.ReportStatus(
        pb.ReportStatusRequest(
            document_id=sent.document_id, status=pb.PROCESSING_STATUS_REFUSED, reason="Sai thẩm quyền"
        )
    )
    assert refused.changed and refused.recipient.status == pb.PROCESSING_STATUS_REFUSED
    again = await receiver.ReportStatus(
        pb.ReportStatusRequest(document_id=sent.document_id, status=pb.PROCESSING_STATUS_COMPLETED)
    )
    assert not again.changed and again.recipient.status == pb.PROCESSING_STATUS_REFUSED


async def test_idempotent_send_and_key_reuse(docs: Docs):
    sender, receiver = await docs.agency(), await docs.agency()
    attachment = await sender.upload(b"%PDF-1.4 x")
    request = pb.SendDocumentRequest(
        idempotency_key="send-key-0001",
        metadata=metadata(),
        recipient_codes=[receiver.code],
        attachment_ids=[attachment.attachment_id],
    )
    first = (await sender.SendDocument(request)).document
    second = (await sender.SendDocument(request)).document
    assert first.document_id == second.document_id
    request.metadata.summary = "Khác"
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await sender.SendDocument(request)
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert len((await receiver.ListInbox(pb.ListInboxRequest())).documents) == 1


async def test_recipients_must_be_in_the_directory_and_input_is_checked(docs: Docs):
    sender = await docs.agency()
    attachment = await sender.upload(b"data", name="a.txt", content_type="text/plain")
    cases = {
        "000.00.00.H99": grpc.StatusCode.NOT_FOUND,  # well-formed, not registered
        "not a code": grpc.StatusCode.INVALID_ARGUMENT,
    }
    for code, expected in cases.items():
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await sender.SendDocument(
                pb.SendDocumentRequest(
                    idempotency_key="k" * 10 + code[:3],
                    metadata=metadata(),
                    recipient_codes=[code],
                    attachment_ids=[attachment.attachment_id],
                )
            )
        assert err.value.code() == expected
    with pytest.raises(grpc.aio.AioRpcError) as err:
        bad = metadata()
        bad.number_symbol = ""
        await sender.SendDocument(
            pb.SendDocumentRequest(
                idempotency_key="k" * 12, metadata=bad, recipient_codes=[sender.code], attachment_ids=["x"]
            )
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await docs.outsider().ListInbox(pb.ListInboxRequest())
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_receive_policy_refuses_unsigned_and_invalid(docs: Docs):
    sender, strict = await docs.agency(), await docs.agency()
    await strict.SetReceivePolicy(
        pb.SetReceivePolicyRequest(refuse_unsigned=True, refuse_invalid_signature=True)
    )
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await sender.send([strict], plain_pdf())
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "RECIPIENT_REFUSES_UNSIGNED" in str(err.value.trailing_metadata())
    sent = await sender.send([strict], await docs.pki.sign(plain_pdf()))
    assert sent.attachments[0].signature.state == pb.SIGNATURE_STATE_VALID


async def test_recall_update_and_replace_are_seen_and_acknowledged(docs: Docs):
    sender, receiver = await docs.agency(), await docs.agency()
    original = await sender.send([receiver])
    update = await sender.send(
        [receiver], related_document_id=original.document_id, relation=pb.RELATION_UPDATE
    )
    replacement = await sender.send(
        [receiver], related_document_id=original.document_id, relation=pb.RELATION_REPLACE
    )
    assert update.relation == pb.RELATION_UPDATE
    seen = (await receiver.GetDocument(pb.GetDocumentRequest(document_id=original.document_id))).document
    assert seen.replaced_by_document_id == replacement.document_id
    # Only the sender updates its own documents.
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await receiver.send([sender], related_document_id=original.document_id, relation=pb.RELATION_REPLACE)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    recalled = await sender.RecallDocument(
        pb.RecallDocumentRequest(document_id=original.document_id, reason="Sai số")
    )
    assert recalled.document.recall_reason == "Sai số"
    assert recalled.document.recipients[0].recall_state == pb.RECALL_STATE_REQUESTED
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await receiver.ReportStatus(
            pb.ReportStatusRequest(document_id=original.document_id, status=pb.PROCESSING_STATUS_RECEIVED)
        )
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    acked = await receiver.AcknowledgeRecall(pb.AcknowledgeRecallRequest(document_id=original.document_id))
    assert acked.recipient.recall_state == pb.RECALL_STATE_ACKNOWLEDGED
    history = await sender.GetDocumentStatus(pb.GetDocumentStatusRequest(document_id=original.document_id))
    assert [h.recall_state for h in history.recipients[0].history] == [
        pb.RECALL_STATE_NONE,
        pb.RECALL_STATE_REQUESTED,
        pb.RECALL_STATE_ACKNOWLEDGED,
    ]


async def test_inbox_filters(docs: Docs):
    a, b, me = await docs.agency(), await docs.agency(), await docs.agency()
    urgent = await a.send([me], meta=metadata(pb.URGENCY_TOP_URGENT))
    await b.send([me])
    by_sender = await me.ListInbox(pb.ListInboxRequest(sender_code=b.code))
    assert [d.sender_code for d in by_sender.documents] == [b.code]
    by_urgency = await me.ListInbox(pb.ListInboxRequest(urgency=pb.URGENCY_TOP_URGENT))
    assert [d.document_id for d in by_urgency.documents] == [urgent.document_id]
    await me.AcknowledgeReceipt(pb.AcknowledgeReceiptRequest(document_id=urgent.document_id))
    arrived = await me.ListInbox(pb.ListInboxRequest(status=pb.PROCESSING_STATUS_ARRIVED))
    assert [d.document_id for d in arrived.documents] == [urgent.document_id]
    page = await me.ListInbox(pb.ListInboxRequest(page_size=1))
    rest = await me.ListInbox(pb.ListInboxRequest(page_size=1, page_token=page.next_page_token))
    assert len(page.documents) == len(rest.documents) == 1 and rest.next_page_token == ""
    assert page.documents[0].document_id != rest.documents[0].document_id
