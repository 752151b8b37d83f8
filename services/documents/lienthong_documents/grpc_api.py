"""gRPC servicer of the documents service: proto in, command to a handler, proto out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from lienthong.documents.v1 import documents_pb2 as pb
from lienthong.documents.v1 import documents_pb2_grpc
from lienthong_runtime.auth import require_agency
from lienthong_runtime.errors import invalid
from lienthong_runtime.paging import page_size
from lienthong_runtime.timestamps import datetime_of

from . import grpc_convert as conv
from .domain.signatures import ReceivePolicy
from .handlers import attachments, directory, exchange, processing, reading, sending
from .handlers.context import Caller, Context
from .handlers.ports import DocumentsUnitOfWork


def _caller() -> Caller:
    return Caller.of(require_agency())


class DocumentsService(documents_pb2_grpc.DocumentsServiceServicer):
    """Every method takes the agency from the verified token, never from a field."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _deps(self) -> tuple[DocumentsUnitOfWork, Context]:
        """What every handler takes first: a new unit of work for this call, and the collaborators."""
        return self.ctx.uow(), self.ctx

    # ---- directory ----

    async def RegisterAgency(
        self, request: pb.RegisterAgencyRequest, context: Any
    ) -> pb.RegisterAgencyResponse:
        agency = await directory.register(
            *self._deps(),
            request.agency_id,
            request.code,
            request.display_name,
            request.province_code,
            request.notification_email,
        )
        return pb.RegisterAgencyResponse(agency=conv.directory_agency(agency, own=True))

    async def GetDirectoryAgency(
        self, request: pb.GetDirectoryAgencyRequest, context: Any
    ) -> pb.GetDirectoryAgencyResponse:
        agency = await directory.get(*self._deps(), request.code)
        own = agency.agency_id == _caller().agency_id
        return pb.GetDirectoryAgencyResponse(agency=conv.directory_agency(agency, own=own))

    async def SearchDirectoryAgencies(
        self, request: pb.SearchDirectoryAgenciesRequest, context: Any
    ) -> pb.SearchDirectoryAgenciesResponse:
        rows, token = await directory.search(
            *self._deps(),
            request.query,
            request.code_prefix,
            request.province_code,
            page_size(request.page_size),
            request.page_token,
        )
        me = _caller().agency_id
        return pb.SearchDirectoryAgenciesResponse(
            agencies=[conv.directory_agency(a, own=a.agency_id == me) for a in rows], next_page_token=token
        )

    async def SetReceivePolicy(
        self, request: pb.SetReceivePolicyRequest, context: Any
    ) -> pb.SetReceivePolicyResponse:
        policy = ReceivePolicy(request.refuse_unsigned, request.refuse_invalid_signature)
        agency = await directory.set_policy(*self._deps(), _caller(), policy, request.notification_email)
        return pb.SetReceivePolicyResponse(agency=conv.directory_agency(agency, own=True))

    # ---- sending ----

    async def UploadAttachment(
        self, request_iterator: AsyncIterator[pb.UploadAttachmentRequest], context: Any
    ) -> pb.UploadAttachmentResponse:
        async def parts() -> AsyncIterator[tuple[str, object]]:
            async for message in request_iterator:
                if message.WhichOneof("part") == "header":
                    yield "header", (message.header.file_name, message.header.content_type)
                else:
                    yield "chunk", message.chunk

        attachment = await attachments.upload(*self._deps(), _caller(), parts())
        return pb.UploadAttachmentResponse(attachment=conv.attachment(attachment))

    async def SendDocument(self, request: pb.SendDocumentRequest, context: Any) -> pb.SendDocumentResponse:
        command = sending.SendCommand(
            idempotency_key=request.idempotency_key,
            metadata=conv.metadata_of(request.metadata),
            recipient_codes=list(request.recipient_codes),
            attachment_ids=list(request.attachment_ids),
            related_document_id=request.related_document_id,
            relation=conv.relation_of(request.relation),
        )
        doc = await sending.send(*self._deps(), _caller(), command)
        return pb.SendDocumentResponse(document=conv.document(doc))

    async def RecallDocument(
        self, request: pb.RecallDocumentRequest, context: Any
    ) -> pb.RecallDocumentResponse:
        doc = await sending.recall(*self._deps(), _caller(), request.document_id, request.reason)
        return pb.RecallDocumentResponse(document=conv.document(doc))

    # ---- reading ----

    async def GetDocument(self, request: pb.GetDocumentRequest, context: Any) -> pb.GetDocumentResponse:
        doc = await reading.get(*self._deps(), _caller(), request.document_id)
        return pb.GetDocumentResponse(document=conv.document(doc))

    async def ListInbox(self, request: pb.ListInboxRequest, context: Any) -> pb.ListInboxResponse:
        filters = {
            "status": conv.status_of(request.status, required=False),
            "sender_code": request.sender_code.strip().upper(),
            "urgency": conv.urgency_of(request.urgency, "urgency", required=False),
            "start": datetime_of(request, "start_time"),
            "end": datetime_of(request, "end_time"),
        }
        docs, token = await reading.inbox(
            *self._deps(), _caller(), filters, page_size(request.page_size), request.page_token
        )
        return pb.ListInboxResponse(documents=[conv.document(d) for d in docs], next_page_token=token)

    async def ListSent(self, request: pb.ListSentRequest, context: Any) -> pb.ListSentResponse:
        docs, token = await reading.sent(
            *self._deps(), _caller(), page_size(request.page_size), request.page_token
        )
        return pb.ListSentResponse(documents=[conv.document(d) for d in docs], next_page_token=token)

    async def DownloadAttachment(
        self, request: pb.DownloadAttachmentRequest, context: Any
    ) -> AsyncIterator[pb.DownloadAttachmentResponse]:
        async for chunk in attachments.download(
            *self._deps(), _caller(), request.document_id, request.attachment_id
        ):
            yield pb.DownloadAttachmentResponse(chunk=chunk)

    async def SubscribeInbox(
        self, request: pb.SubscribeInboxRequest, context: Any
    ) -> AsyncIterator[pb.SubscribeInboxResponse]:
        async for cursor, kind, doc in reading.subscribe(*self._deps(), _caller(), request.after_cursor):
            yield pb.SubscribeInboxResponse(
                cursor=cursor,
                kind=f"INBOX_EVENT_KIND_{kind}",
                document=conv.document(doc),
            )

    async def GetDocumentStatus(
        self, request: pb.GetDocumentStatusRequest, context: Any
    ) -> pb.GetDocumentStatusResponse:
        rows = await reading.status_history(*self._deps(), _caller(), request.document_id)
        return pb.GetDocumentStatusResponse(recipients=[conv.history(r, h) for r, h in rows])

    async def ListDocumentAccess(
        self, request: pb.ListDocumentAccessRequest, context: Any
    ) -> pb.ListDocumentAccessResponse:
        rows, token = await reading.accesses(
            *self._deps(),
            _caller(),
            request.document_id,
            page_size(request.page_size),
            request.page_token,
        )
        return pb.ListDocumentAccessResponse(accesses=[conv.access(r) for r in rows], next_page_token=token)

    # ---- processing ----

    async def AcknowledgeReceipt(
        self, request: pb.AcknowledgeReceiptRequest, context: Any
    ) -> pb.AcknowledgeReceiptResponse:
        r = await processing.acknowledge_receipt(*self._deps(), _caller(), request.document_id)
        return pb.AcknowledgeReceiptResponse(recipient=conv.recipient(r))

    async def ReportStatus(self, request: pb.ReportStatusRequest, context: Any) -> pb.ReportStatusResponse:
        status = conv.status_of(request.status)
        assert status is not None
        r, changed = await processing.report(
            *self._deps(), _caller(), request.document_id, status, request.reason
        )
        return pb.ReportStatusResponse(recipient=conv.recipient(r), changed=changed)

    async def AcknowledgeRecall(
        self, request: pb.AcknowledgeRecallRequest, context: Any
    ) -> pb.AcknowledgeRecallResponse:
        r = await processing.acknowledge_recall(*self._deps(), _caller(), request.document_id)
        return pb.AcknowledgeRecallResponse(recipient=conv.recipient(r))

    # ---- edXML ----

    async def ExportEdxml(
        self, request: pb.ExportEdxmlRequest, context: Any
    ) -> AsyncIterator[pb.ExportEdxmlResponse]:
        async for chunk in exchange.export(*self._deps(), _caller(), request.document_id):
            yield pb.ExportEdxmlResponse(chunk=chunk)

    async def ImportEdxml(
        self, request_iterator: AsyncIterator[pb.ImportEdxmlRequest], context: Any
    ) -> pb.ImportEdxmlResponse:
        stream = aiter(request_iterator)
        first = await anext(stream, None)
        if first is None:
            raise invalid("chunk", "the package is empty")

        async def chunks() -> AsyncIterator[bytes]:
            yield first.chunk
            async for message in stream:
                yield message.chunk

        doc = await exchange.import_package(*self._deps(), _caller(), first.idempotency_key, chunks())
        return pb.ImportEdxmlResponse(document=conv.document(doc))
