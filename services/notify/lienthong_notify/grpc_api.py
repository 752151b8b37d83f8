"""gRPC servicer of the notify service: proto in, plain values to a handler, proto out."""

from __future__ import annotations

from typing import Any

from lienthong.notify.v1 import notify_pb2 as pb
from lienthong.notify.v1 import notify_pb2_grpc
from lienthong_runtime.auth import require_agency, require_citizen
from lienthong_runtime.errors import invalid
from lienthong_runtime.paging import PAGE_TOKEN_INVALID, decode_cursor, encode_cursor, page_size

from . import grpc_convert as conv
from .domain.channels import Channel
from .domain.notifications import Notification, NotificationFilter
from .handlers import batches, callbacks, citizen_reads, notifications, sending, templates
from .handlers.intake import SendIntake
from .handlers.ports import Caller, Deps, UnitsOfWork

TEST_MODE_SCOPE = "notify.test_mode"


def _caller() -> Caller:
    """The caller's agency (from the verified token) and whether it holds a test credential."""
    principal = require_agency()
    return Caller(principal.agency_id, TEST_MODE_SCOPE in principal.scopes)


def _before(kind: str, token: str) -> str | None:
    """The id a newest-first page continues before (None: the first page)."""
    cursor = decode_cursor(kind, token, 1)
    if cursor is None:
        return None
    if not isinstance(cursor[0], str) or not cursor[0]:
        raise _bad_token()
    return cursor[0]


def _bad_token() -> Exception:
    return invalid("page_token", "is not a token this method issued", reason=PAGE_TOKEN_INVALID)


def _next(kind: str, found: list[Notification], size: int) -> str:
    return encode_cursor(kind, [found[size - 1].id]) if len(found) > size else ""


class NotifyService(notify_pb2_grpc.NotifyServiceServicer):
    """Every call is scoped to the caller's agency, taken from its token; one unit of work per call."""

    def __init__(self, units: UnitsOfWork, deps: Deps, intake: SendIntake) -> None:
        self.uow = units
        self.deps = deps
        self.intake = intake

    async def CreateTemplate(
        self, request: pb.CreateTemplateRequest, context: Any
    ) -> pb.CreateTemplateResponse:
        created = await templates.create(
            self.uow(),
            _caller(),
            channel=conv.channel(request.channel),  # type: ignore[arg-type]
            name=request.name,
            subject=request.subject,
            body=request.body,
            now=self.deps.clock(),
        )
        return pb.CreateTemplateResponse(template=conv.template(created))

    async def UpdateTemplate(
        self, request: pb.UpdateTemplateRequest, context: Any
    ) -> pb.UpdateTemplateResponse:
        updated = await templates.update(
            self.uow(),
            _caller(),
            template_id=request.template_id,
            expected_version=request.expected_version,
            name=request.name,
            subject=request.subject,
            body=request.body,
            now=self.deps.clock(),
        )
        return pb.UpdateTemplateResponse(template=conv.template(updated))

    async def GetTemplate(self, request: pb.GetTemplateRequest, context: Any) -> pb.GetTemplateResponse:
        found = await templates.get(
            self.uow(), _caller(), template_id=request.template_id, version=request.version
        )
        return pb.GetTemplateResponse(template=conv.template(found))

    async def ListTemplates(self, request: pb.ListTemplatesRequest, context: Any) -> pb.ListTemplatesResponse:
        caller, size = _caller(), page_size(request.page_size)
        after = decode_cursor("notify.templates", request.page_token, 2)
        if after is not None and not all(isinstance(v, str) for v in after):
            raise _bad_token()
        found = await templates.list_page(
            self.uow(),
            caller,
            channel=conv.channel(request.channel, optional=True),
            after=(str(after[0]), str(after[1])) if after else None,
            limit=size + 1,
        )
        last = found[size - 1] if len(found) > size else None
        token = encode_cursor("notify.templates", [last.name, last.id]) if last else ""
        return pb.ListTemplatesResponse(
            templates=[conv.template(t) for t in found[:size]], next_page_token=token
        )

    async def PreviewTemplate(
        self, request: pb.PreviewTemplateRequest, context: Any
    ) -> pb.PreviewTemplateResponse:
        subject, body, sms = await templates.preview(
            self.uow(),
            _caller(),
            template_id=request.template_id,
            version=request.version,
            values=dict(request.personalisation),
        )
        return pb.PreviewTemplateResponse(subject=subject, body=body, sms=conv.sms(sms))

    async def SendEmail(self, request: pb.SendEmailRequest, context: Any) -> pb.SendEmailResponse:
        sent = await self._send(Channel.EMAIL, request, request.email_address)
        return pb.SendEmailResponse(notification=conv.notification(sent))

    async def SendSms(self, request: pb.SendSmsRequest, context: Any) -> pb.SendSmsResponse:
        sent = await self._send(Channel.SMS, request, request.phone_number)
        return pb.SendSmsResponse(notification=conv.notification(sent))

    async def _send(self, channel: Channel, request: Any, recipient: str) -> Notification:
        caller = _caller()
        return await self.intake.send(
            sending.SendCommand(
                agency_id=caller.agency_id,
                channel=channel,
                template_id=request.template_id,
                recipient=recipient,
                personalisation=dict(request.personalisation),
                reference=request.reference,
                idempotency_key=request.idempotency_key,
                test=caller.test,
                simulated_outcome=conv.simulated(request.simulated_outcome),
            ),
        )

    async def GetNotification(
        self, request: pb.GetNotificationRequest, context: Any
    ) -> pb.GetNotificationResponse:
        found = await notifications.get(self.uow(), _caller(), notification_id=request.notification_id)
        return pb.GetNotificationResponse(notification=conv.notification(found))

    async def ListNotifications(
        self, request: pb.ListNotificationsRequest, context: Any
    ) -> pb.ListNotificationsResponse:
        caller, size = _caller(), page_size(request.page_size)
        flt = NotificationFilter(
            conv.statuses(request.statuses),
            conv.channel(request.channel, optional=True),
            request.reference,
            request.batch_id,
        )
        before = _before("notify.notifications", request.page_token)
        found = await notifications.list_page(self.uow(), caller, flt=flt, before_id=before, limit=size + 1)
        return pb.ListNotificationsResponse(
            notifications=[conv.notification(n) for n in found[:size]],
            next_page_token=_next("notify.notifications", found, size),
        )

    async def ListMyNotifications(
        self, request: pb.ListMyNotificationsRequest, context: Any
    ) -> pb.ListMyNotificationsResponse:
        pid, size = require_citizen(), page_size(request.page_size)
        before = _before("notify.my_notifications", request.page_token)
        found = await citizen_reads.my_notifications(
            self.uow(), personal_id=pid, before_id=before, limit=size + 1
        )
        return pb.ListMyNotificationsResponse(
            notifications=[conv.notification(n) for n in found[:size]],
            next_page_token=_next("notify.my_notifications", found, size),
        )

    async def SendBatch(self, request: pb.SendBatchRequest, context: Any) -> pb.SendBatchResponse:
        command = batches.SendBatchCommand(
            template_id=request.template_id,
            reference=request.reference,
            idempotency_key=request.idempotency_key,
            reject_all_on_error=request.reject_all_on_error,
            recipients=[
                batches.BatchRecipient(
                    r.recipient,
                    dict(r.personalisation),
                    r.reference,
                    conv.simulated(r.simulated_outcome, f"recipients[{i}].simulated_outcome"),
                )
                for i, r in enumerate(request.recipients)
            ],
        )
        view = await batches.send_batch(self.uow, self.deps, _caller(), command)
        return pb.SendBatchResponse(batch=conv.batch(view), results=conv.batch_results(view))

    async def GetBatch(self, request: pb.GetBatchRequest, context: Any) -> pb.GetBatchResponse:
        view = await batches.get_batch(self.uow(), _caller(), batch_id=request.batch_id)
        return pb.GetBatchResponse(batch=conv.batch(view))

    async def SetCallback(self, request: pb.SetCallbackRequest, context: Any) -> pb.SetCallbackResponse:
        config, secret = await callbacks.set_callback(
            self.uow(),
            self.deps,
            _caller(),
            url=request.url,
            statuses=conv.statuses(request.statuses),
            rotate_secret=request.rotate_secret,
        )
        return pb.SetCallbackResponse(callback=conv.callback(config), signing_secret=secret)

    async def GetCallback(self, request: pb.GetCallbackRequest, context: Any) -> pb.GetCallbackResponse:
        return pb.GetCallbackResponse(
            callback=conv.callback(await callbacks.get_callback(self.uow(), _caller()))
        )

    async def DeleteCallback(
        self, request: pb.DeleteCallbackRequest, context: Any
    ) -> pb.DeleteCallbackResponse:
        await callbacks.delete_callback(self.uow(), _caller())
        return pb.DeleteCallbackResponse()
