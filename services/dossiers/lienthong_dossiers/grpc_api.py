"""gRPC servicer of the dossiers service: proto in, plain values to a handler, proto out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from lienthong.dossiers.v1 import dossiers_pb2 as pb
from lienthong.dossiers.v1 import dossiers_pb2_grpc
from lienthong_runtime.auth import require_agency, require_citizen
from lienthong_runtime.errors import invalid
from lienthong_runtime.paging import page_size

from . import grpc_convert as conv
from .handlers import attachments, calendar, filing, prefill, procedures, processing, reports
from .handlers.context import Caller, Deps
from .handlers.ports import DossiersUnitOfWork

MAX_FORM_FIELDS = 200
OPERATOR_SCOPE = "platform.admin"
#: The agency's whole inbox (its one-stop-shop system); a token with only ``dossiers.parts.officer`` is an
#: officer's and sees only the parts assigned to its client id.
INBOX_SCOPE = "dossiers.dossiers.process"


def _citizen() -> Caller:
    return Caller.citizen(require_citizen())


def _agency() -> Caller:
    p = require_agency()
    return Caller.agency(
        p.agency_id, p.client_id or p.subject, OPERATOR_SCOPE in p.scopes, INBOX_SCOPE in p.scopes
    )


def _form(form: Any) -> dict[str, str]:
    if len(form) > MAX_FORM_FIELDS:
        raise invalid("form", f"at most {MAX_FORM_FIELDS} fields", reason="FORM_INVALID")
    return dict(form)


class DossiersService(dossiers_pb2_grpc.DossiersServiceServicer):
    """The citizen comes from the verified token's personal ID; the agency from its agency id. Never a field."""

    def __init__(
        self, uow: Callable[[], DossiersUnitOfWork], deps: Deps, max_attachment_bytes: int = 20 << 20
    ) -> None:
        self.uow = uow
        self.deps = deps
        self.max_attachment_bytes = max_attachment_bytes

    # ---- catalogue ----

    async def CreateProcedure(
        self, request: pb.CreateProcedureRequest, context: Any
    ) -> pb.CreateProcedureResponse:
        p = await procedures.create(
            self.uow(), _agency(), request.code, conv.spec_of(request.spec), self.deps.clock()
        )
        return pb.CreateProcedureResponse(procedure=conv.procedure(p))

    async def PublishProcedureVersion(
        self, request: pb.PublishProcedureVersionRequest, context: Any
    ) -> pb.PublishProcedureVersionResponse:
        p = await procedures.publish(
            self.uow(), _agency(), request.code, conv.spec_of(request.spec), self.deps.clock()
        )
        return pb.PublishProcedureVersionResponse(procedure=conv.procedure(p))

    async def GetProcedure(self, request: pb.GetProcedureRequest, context: Any) -> pb.GetProcedureResponse:
        p = await procedures.get(self.uow(), request.code, request.version)
        return pb.GetProcedureResponse(procedure=conv.procedure(p))

    async def ListProcedures(
        self, request: pb.ListProceduresRequest, context: Any
    ) -> pb.ListProceduresResponse:
        rows, token = await procedures.listing(
            self.uow(), request.agency_id, page_size(request.page_size), request.page_token
        )
        return pb.ListProceduresResponse(procedures=[conv.procedure(p) for p in rows], next_page_token=token)

    # ---- the citizen ----

    async def FileDossier(self, request: pb.FileDossierRequest, context: Any) -> pb.FileDossierResponse:
        d = await filing.file(
            self.uow(),
            self.deps,
            _citizen(),
            request.procedure_code,
            _form(request.form),
            request.idempotency_key,
        )
        return pb.FileDossierResponse(dossier=conv.dossier(d))

    async def PrefillForm(self, request: pb.PrefillFormRequest, context: Any) -> pb.PrefillFormResponse:
        form, disclosed = await prefill.prefill(
            self.uow(), self.deps, _citizen(), request.procedure_code, request.purpose, request.consent
        )
        return pb.PrefillFormResponse(form=form, disclosed_fields=disclosed)

    async def GetMyDossier(self, request: pb.GetMyDossierRequest, context: Any) -> pb.GetMyDossierResponse:
        d = await filing.get_mine(self.uow(), self.deps, _citizen(), request.dossier_id)
        return pb.GetMyDossierResponse(dossier=conv.dossier(d))

    async def ListMyDossiers(
        self, request: pb.ListMyDossiersRequest, context: Any
    ) -> pb.ListMyDossiersResponse:
        caller = _citizen()
        rows, token = await filing.list_mine(
            self.uow(), self.deps, caller, page_size(request.page_size), request.page_token
        )
        return pb.ListMyDossiersResponse(dossiers=[conv.dossier(d) for d in rows], next_page_token=token)

    async def SupplyDossier(self, request: pb.SupplyDossierRequest, context: Any) -> pb.SupplyDossierResponse:
        d = await filing.supply(self.uow(), self.deps, _citizen(), request.dossier_id, _form(request.form))
        return pb.SupplyDossierResponse(dossier=conv.dossier(d))

    async def UploadDossierAttachment(
        self, request_iterator: AsyncIterator[pb.UploadDossierAttachmentRequest], context: Any
    ) -> pb.UploadDossierAttachmentResponse:
        async def parts() -> AsyncIterator[tuple[str, object]]:
            async for message in request_iterator:
                if message.WhichOneof("part") == "header":
                    yield "header", (message.header.file_name, message.header.content_type)
                else:
                    yield "chunk", message.chunk

        stream = parts()
        # The first message is decoded before the caller is looked at, as in every client stream: bytes that are
        # no request are MALFORMED_REQUEST whoever sends them.
        first = await anext(stream, None)
        caller = _citizen()

        async def replay() -> AsyncIterator[tuple[str, object]]:
            if first is not None:
                yield first
            async for part in stream:
                yield part

        a = await attachments.upload(self.uow(), self.deps, caller, replay(), self.max_attachment_bytes)
        return pb.UploadDossierAttachmentResponse(attachment=conv.attachment(a))

    # ---- the agency ----

    async def GetDossierAttachment(
        self, request: pb.GetDossierAttachmentRequest, context: Any
    ) -> AsyncIterator[pb.GetDossierAttachmentResponse]:
        found, pieces = await attachments.download(
            self.uow(), self.deps, _agency(), request.dossier_id, request.attachment_id
        )
        yield pb.GetDossierAttachmentResponse(attachment=conv.attachment(found))
        for piece in pieces:
            yield pb.GetDossierAttachmentResponse(chunk=piece)

    async def GetDossier(self, request: pb.GetDossierRequest, context: Any) -> pb.GetDossierResponse:
        d = await processing.get(self.uow(), self.deps, _agency(), request.dossier_id)
        return pb.GetDossierResponse(dossier=conv.dossier(d))

    async def ListAgencyInbox(
        self, request: pb.ListAgencyInboxRequest, context: Any
    ) -> pb.ListAgencyInboxResponse:
        caller = _agency()
        rows, token = await processing.inbox(
            self.uow(),
            self.deps,
            caller,
            conv.state_of(request.state),
            page_size(request.page_size),
            request.page_token,
        )
        return pb.ListAgencyInboxResponse(dossiers=[conv.dossier(d) for d in rows], next_page_token=token)

    async def AssignDossier(self, request: pb.AssignDossierRequest, context: Any) -> pb.AssignDossierResponse:
        d = await processing.assign(self.uow(), self.deps, _agency(), request.dossier_id, request.officer_id)
        return pb.AssignDossierResponse(dossier=conv.dossier(d))

    async def RequestSupplement(
        self, request: pb.RequestSupplementRequest, context: Any
    ) -> pb.RequestSupplementResponse:
        d = await processing.request_supplement(
            self.uow(), self.deps, _agency(), request.dossier_id, request.reason
        )
        return pb.RequestSupplementResponse(dossier=conv.dossier(d))

    async def ApproveDossier(
        self, request: pb.ApproveDossierRequest, context: Any
    ) -> pb.ApproveDossierResponse:
        d = await processing.approve(self.uow(), self.deps, _agency(), request.dossier_id)
        return pb.ApproveDossierResponse(dossier=conv.dossier(d))

    async def RejectDossier(self, request: pb.RejectDossierRequest, context: Any) -> pb.RejectDossierResponse:
        d = await processing.reject(
            self.uow(), self.deps, _agency(), request.dossier_id, request.legal_reason
        )
        return pb.RejectDossierResponse(dossier=conv.dossier(d))

    async def ReturnResult(self, request: pb.ReturnResultRequest, context: Any) -> pb.ReturnResultResponse:
        d = await processing.return_result(
            self.uow(), self.deps, _agency(), request.dossier_id, request.result_document_id
        )
        return pb.ReturnResultResponse(dossier=conv.dossier(d))

    # ---- reports and calendar ----

    async def GetOnTimeReport(
        self, request: pb.GetOnTimeReportRequest, context: Any
    ) -> pb.GetOnTimeReportResponse:
        rows, csv = await reports.on_time(
            self.uow(),
            self.deps,
            _agency(),
            conv.date_of(request.start_date, "start_date"),
            conv.date_of(request.end_date, "end_date"),
            request.procedure_code,
            request.agency_id,
            request.include_csv,
        )
        return pb.GetOnTimeReportResponse(rows=[conv.report_row(r) for r in rows], csv=csv)

    async def ListLateDossiers(
        self, request: pb.ListLateDossiersRequest, context: Any
    ) -> pb.ListLateDossiersResponse:
        caller = _agency()
        rows, token = await reports.late(
            self.uow(), self.deps, caller, request.agency_id, page_size(request.page_size), request.page_token
        )
        return pb.ListLateDossiersResponse(dossiers=[conv.late_row(r) for r in rows], next_page_token=token)

    async def SetMakeUpDays(self, request: pb.SetMakeUpDaysRequest, context: Any) -> pb.SetMakeUpDaysResponse:
        _agency()
        working, off = await calendar.set_make_up_days(
            self.uow(),
            request.year,
            [
                conv.date_of(d, f"working_days[{i}]", required=False)
                for i, d in enumerate(request.working_days)
            ],
            [conv.date_of(d, f"days_off[{i}]", required=False) for i, d in enumerate(request.days_off)],
        )
        return pb.SetMakeUpDaysResponse(
            year=request.year,
            working_days=conv.pb_dates(working),
            days_off=conv.pb_dates(off),
        )
