"""Notices of public-service dossiers: dossiers' ``DossierStatusChanged`` tells the citizen, by e-mail and SMS
when identity gave notify those contacts, where their dossier stands (filed, paid, supplement asked with its
reason, result returned, rejected with its legal basis, or the apology letter for a missed deadline).

Consumed by notify's durable consumer (``bootstrap.event_handlers``); each event is handled once (its id
recorded in the transaction that queues the notices). The notices never carry the personal
ID; the citizen's contact is found by it in notify's sealed contacts projection.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.dossiers.v1 import events_pb2 as dossier_events

from ..domain.channels import Channel
from ..domain.notifications import ONE_OFF, NewNotification
from ..domain.recipients import InvalidRecipient, normalise_email, normalise_vn_mobile
from ..domain.templates import TemplateVersion, placeholders
from .ports import Deps, NotifyUnitOfWork
from .sending import compose

log = logging.getLogger("lienthong.notify.events")
CONSUMER = "notify"
STATUS_CHANGED = dossier_events.DossierStatusChanged.DESCRIPTOR.full_name
REFERENCE = "dossiers.status_changed"

#: What each part state means to the citizen.
STATES = {
    "PART_STATE_AWAITING_PAYMENT": "đã được tiếp nhận, đang chờ nộp phí, lệ phí",
    "PART_STATE_RECEIVED": "đã được tiếp nhận",
    "PART_STATE_PROCESSING": "đang được giải quyết",
    "PART_STATE_AWAITING_SUPPLEMENT": "cần bổ sung",
    "PART_STATE_APPROVED": "đã được phê duyệt, đang chờ trả kết quả",
    "PART_STATE_REJECTED": "đã bị từ chối",
    "PART_STATE_RESULT_RETURNED": "đã có kết quả điện tử",
}
SUBJECT = "Hồ sơ ((code)): ((status))"
BODY = (
    "Kính gửi Quý công dân,\n\n"
    "Hồ sơ ((code)) về thủ tục ((procedure)) ((status)).\n"
    "((reason))\n\n"
    "Quý công dân có thể theo dõi hồ sơ trên Cổng dịch vụ công.\n"
    "Đây là thư tự động, vui lòng không trả lời."
)
SMS = "Ho so ((code)): ((status)). ((reason))"


def _template(channel: Channel, now: datetime) -> TemplateVersion:
    subject, body = (SUBJECT, BODY) if channel is Channel.EMAIL else ("", SMS)
    return TemplateVersion(
        id=f"builtin-dossier-status-{channel.value}",
        agency_id="",
        channel=channel,
        name=f"dossier_status_{channel.value}",
        subject=subject,
        body=body,
        version=1,
        create_time=now,
        update_time=now,
        placeholders=placeholders(subject, body),
    )


def _values(changed: Any) -> dict[str, str]:
    if changed.apology_text:
        status, reason = "thư xin lỗi vì giải quyết quá hạn", changed.apology_text
    else:
        status = STATES.get(changed.state, "đã thay đổi trạng thái")
        reason = f"Lý do: {changed.reason}" if changed.reason else ""
    return {"code": changed.code, "procedure": changed.procedure_name, "status": status, "reason": reason}


async def on_status_changed(uow: NotifyUnitOfWork, deps: Deps, event: EventEnvelope) -> None:
    """Queue the citizen's e-mail and SMS notices (bus handler; raising makes the bus redeliver)."""
    changed = dossier_events.DossierStatusChanged()
    if not event.payload.Unpack(changed) or not changed.citizen_personal_id:
        return
    now = deps.clock()
    batch: list[NewNotification] = []
    async with uow:
        contact = await uow.contacts.get(changed.citizen_personal_id)
        if contact is None or not await uow.inbox.first_delivery(CONSUMER, event.id):
            return
        values = _values(changed)
        for channel, raw, normalise in (
            (Channel.EMAIL, contact.email, normalise_email),
            (Channel.SMS, contact.phone_number, normalise_vn_mobile),
        ):
            try:
                address = normalise(raw) if raw else ""
            except InvalidRecipient:
                log.warning("dossier notice not sent: contact invalid", extra={"event_id": event.id})
                continue
            if address:
                template = _template(channel, now)
                n = compose(
                    template,
                    address,
                    {name: values[name] for name in template.placeholders},
                    reference=REFERENCE,
                    batch_id="",
                    test=False,
                    simulated="",
                    now=now,
                )
                key = f"event:{event.id}:{channel.value}"
                batch.append(NewNotification(n, key, "", ONE_OFF, deps.retry.give_up_time(now)))
        if batch:
            await uow.notifications.add(batch)
    if batch:
        deps.wake()
