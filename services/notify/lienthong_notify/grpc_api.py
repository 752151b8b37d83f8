"""gRPC servicer of the notify service: proto in, command to a handler, proto out."""

from __future__ import annotations

from typing import Any

from lienthong.notify.v1 import notify_pb2 as pb
from lienthong.notify.v1 import notify_pb2_grpc
from lienthong_runtime.auth import require_citizen, require_principal
from lienthong_runtime.errors import PermissionDenied, invalid

from . import grpc_convert as conv
from .adapters.contact_store import ContactBook
from .adapters.notification_store import NotificationFilter
from .domain.channels import Channel
from .handlers import batches, callbacks, citizen_reads, notifications, sending, templates
from .handlers.context import Notify
from .handlers.intake import SendIntake

TEST_MODE_SCOPE = "notify.test_mode"


def _caller() -> tuple[str, bool]:
    """The caller's agency (from the verified token) and whether it holds a test credential."""
    principal = require_principal()
    if not principal.agency_id or principal.kind != "client":
        raise PermissionDenied("notify is for agencies' machine clients", reason="AGENCY_CLIENT_REQUIRED")
    return principal.agency_id, TEST_MODE_SCOPE in principal.scopes


class NotifyService(notify_pb2_grpc.NotifyServiceServicer):
    """Every call is scoped to the caller's agency, taken from its token."""

    def __init__(
        self, notify: Notify, intake: SendIntake | None = None, contacts: ContactBook | None = None
    ) -> None:
        self.notify = notify
        self.intake = intake or SendIntake(notify)
        self.contacts = contacts

    async def CreateTemplate(
        self, request: pb.CreateTemplateRequest, context: Any
    ) -> pb.CreateTemplateResponse:
        agency, _ = _caller()
        created = await templates.create(
            self.notify,
            agency,
            conv.channel(request.channel),  # type: ignore[arg-type]
            request.name,
            request.subject,
            request.body,
        )
        return pb.CreateTemplateResponse(template=conv.template(created))

    async def UpdateTemplate(
        self, request: pb.UpdateTemplateRequest, context: Any
    ) -> pb.UpdateTemplateResponse:
        agency, _ = _caller()
        updated = await templates.update(
            self.notify,
            agency,
            request.template_id,
            request.expected_version,
            request.name,
            request.subject,
            request.body,
        )
        return pb.UpdateTemplateResponse(template=conv.template(updated))

    async def GetTemplate(self, request: pb.GetTemplateRequest, context: Any) -> pb.GetTemplateResponse:
        agency, _ = _caller()
        found = await templates.get(self.notify, agency, request.template_id, request.version)
        return pb.GetTemplateResponse(template=conv.template(found))

    async def ListTemplates(self, request: pb.ListTemplatesRequest, context: Any) -> pb.ListTemplatesResponse:
        agency, _ = _caller()
        size = conv.page_size(request.page_size)
        after = conv.decode_token(request.page_token)
        if after is not None and not (isinstance(after, list) and len(after) == 2):
            raise invalid("page_token", "is not a token this service issued", reason="INVALID_PAGE_TOKEN")
        found = await templates.list_page(
            self.notify,
            agency,
            conv.channel(request.channel, optional=True),
            tuple(after) if after else None,
            size + 1,
        )  # type: ignore[arg-type]
        token = conv.encode_token([found[size - 1].name, found[size - 1].id]) if len(found) > size else ""
        return pb.ListTemplatesResponse(
            templates=[conv.template(t) for t in found[:size]], next_page_token=token
        )

    async def PreviewTemplate(
        self, request: pb.PreviewTemplateRequest, context: Any
    ) -> pb.PreviewTemplateResponse:
        agency, _ = _caller()
        subject, body, sms = await templates.preview(
            self.notify, agency, request.template_id, request.version, dict(request.personalisation)
        )
        return pb.PreviewTemplateResponse(subject=subject, body=body, sms=conv.sms(sms))

    async def SendEmail(self, request: pb.SendEmailRequest, context: Any) -> pb.SendEmailResponse:
        sent = await self._send(Channel.EMAIL, request, request.email_address)
        return pb.SendEmailResponse(notification=conv.notification(sent))

    async def SendSms(self, request: pb.SendSmsRequest, context: Any) -> pb.SendSmsResponse:
        sent = await self._send(Channel.SMS, request, request.phone_number)
        return pb.SendSmsResponse(notification=conv.notification(sent))

    async def _send(self, channel: Channel, request: Any, recipient: str) -> Any:
        agency, test = _caller()
        return await self.intake.send(
            sending.SendCommand(
                agency_id=agency,
                channel=channel,
                template_id=request.template_id,
                recipient=recipient,
                personalisation=dict(request.personalisation),
                reference=request.reference,
                idempotency_key=request.idempotency_key,
                test=test,
                simulated_outcome=conv.simulated(request.simulated_outcome),
            ),
        )

    async def GetNotification(
        self, request: pb.GetNotificationRequest, context: Any
    ) -> pb.GetNotificationResponse:
        agency, _ = _caller()
        found = await notifications.get(self.notify, agency, request.notification_id)
        return pb.GetNotificationResponse(notification=conv.notification(found))

    async def ListNotifications(
        self, request: pb.ListNotificationsRequest, context: Any
    ) -> pb.ListNotificationsResponse:
        agency, _ = _caller()
        size = conv.page_size(request.page_size)
        before = conv.decode_token(request.page_token)
        flt = NotificationFilter(
            conv.statuses(request.statuses),
            conv.channel(request.channel, optional=True),
            request.reference,
            request.batch_id,
        )
        found = await notifications.list_page(
            self.notify, agency, flt, str(before) if before else None, size + 1
        )
        token = conv.encode_token(found[size - 1].id) if len(found) > size else ""
        return pb.ListNotificationsResponse(
            notifications=[conv.notification(n) for n in found[:size]], next_page_token=token
        )

    async def ListMyNotifications(
        self, request: pb.ListMyNotificationsRequest, context: Any
    ) -> pb.ListMyNotificationsResponse:
        pid = require_citizen()
        size = conv.page_size(request.page_size)
        before = conv.decode_token(request.page_token)
        found = (
            await citizen_reads.my_notifications(
                self.notify, self.contacts, pid, str(before) if before else None, size + 1
            )
            if self.contacts is not None
            else []
        )
        token = conv.encode_token(found[size - 1].id) if len(found) > size else ""
        return pb.ListMyNotificationsResponse(
            notifications=[conv.notification(n) for n in found[:size]], next_page_token=token
        )

    async def SendBatch(self, request: pb.SendBatchRequest, context: Any) -> pb.SendBatchResponse:
        agency, test = _caller()
        view = await batches.send_batch(
            self.notify,
            batches.SendBatchCommand(
                agency_id=agency,
                template_id=request.template_id,
                reference=request.reference,
                idempotency_key=request.idempotency_key,
                reject_all_on_error=request.reject_all_on_error,
                test=test,
                recipients=[
                    batches.BatchRecipient(
                        r.recipient,
                        dict(r.personalisation),
                        r.reference,
                        conv.simulated(r.simulated_outcome, f"recipients[{i}].simulated_outcome"),
                    )
                    for i, r in enumerate(request.recipients)
                ],
            ),
        )
        return pb.SendBatchResponse(batch=conv.batch(view), results=conv.batch_results(view))

    async def GetBatch(self, request: pb.GetBatchRequest, context: Any) -> pb.GetBatchResponse:
        agency, _ = _caller()
        return pb.GetBatchResponse(
            batch=conv.batch(await batches.get_batch(self.notify, agency, request.batch_id))
        )

    async def SetCallback(self, request: pb.SetCallbackRequest, context: Any) -> pb.SetCallbackResponse:
        agency, _ = _caller()
        config, secret = await callbacks.set_callback(
            self.notify, agency, request.url, conv.statuses(request.statuses), request.rotate_secret
        )
        return pb.SetCallbackResponse(callback=conv.callback(config), signing_secret=secret)

    async def GetCallback(self, request: pb.GetCallbackRequest, context: Any) -> pb.GetCallbackResponse:
        agency, _ = _caller()
        return pb.GetCallbackResponse(
            callback=conv.callback(await callbacks.get_callback(self.notify, agency))
        )

    async def DeleteCallback(
        self, request: pb.DeleteCallbackRequest, context: Any
    ) -> pb.DeleteCallbackResponse:
        agency, _ = _caller()
        await callbacks.delete_callback(self.notify, agency)
        return pb.DeleteCallbackResponse()
