"""Conversions between notify's protos and its domain objects (page tokens: ``lienthong_runtime.paging``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.protobuf import timestamp_pb2

from lienthong.notify.v1 import notify_pb2 as pb
from lienthong_runtime import validation
from lienthong_runtime.errors import invalid

from .domain.callbacks import CallbackConfig
from .domain.channels import Channel, Status
from .domain.notifications import Notification
from .domain.sms import SmsEncoding, SmsSegments
from .domain.templates import TemplateVersion
from .handlers.batches import BatchView

CHANNELS: dict[int, Channel] = {pb.CHANNEL_EMAIL: Channel.EMAIL, pb.CHANNEL_SMS: Channel.SMS}
CHANNEL_PB: dict[Channel, Any] = {v: k for k, v in CHANNELS.items()}
STATUS_PB: dict[Status, Any] = {
    s: pb.NotificationStatus.Value(f"NOTIFICATION_STATUS_{s.value}") for s in Status
}
STATUSES = {v: k for k, v in STATUS_PB.items()}
ENCODING_PB = {SmsEncoding.GSM7: pb.SMS_ENCODING_GSM7, SmsEncoding.UCS2: pb.SMS_ENCODING_UCS2}


def ts(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(value if value.tzinfo else value.replace(tzinfo=UTC))
    return out


def channel(value: int, field: str = "channel", *, optional: bool = False) -> Channel | None:
    if value in CHANNELS:
        return CHANNELS[value]
    if optional and value == pb.CHANNEL_UNSPECIFIED:
        return None
    raise invalid(field, "must be CHANNEL_EMAIL or CHANNEL_SMS")


def statuses(values: Any, field: str = "statuses") -> frozenset[Status]:
    try:
        return frozenset(STATUSES[v] for v in values)
    except KeyError:
        raise invalid(field, "contains an unknown status") from None


def simulated(value: int, field: str = "simulated_outcome") -> str:
    """The outcome's name ('' when unspecified); INVALID_ARGUMENT for a number the enum does not define."""
    validation.check(
        field, validation.enum_value, value, defined=pb.SimulatedOutcome.values(), allow_unspecified=True
    )
    return "" if value == 0 else pb.SimulatedOutcome.Name(value).removeprefix("SIMULATED_OUTCOME_")


def sms(value: SmsSegments | None) -> pb.SmsSegments | None:
    if value is None:
        return None
    return pb.SmsSegments(
        encoding=ENCODING_PB[value.encoding],
        character_count=value.character_count,
        segment_count=value.segment_count,
    )


def template(t: TemplateVersion) -> pb.Template:
    return pb.Template(
        id=t.id,
        channel=CHANNEL_PB[t.channel],
        name=t.name,
        subject=t.subject,
        body=t.body,
        version=t.version,
        placeholders=list(t.placeholders),
        create_time=ts(t.create_time),
        update_time=ts(t.update_time),
    )


def notification(n: Notification) -> pb.Notification:
    return pb.Notification(
        id=n.id,
        channel=CHANNEL_PB[n.channel],
        template_id=n.template_id,
        template_version=n.template_version,
        recipient=n.recipient,
        reference=n.reference,
        status=STATUS_PB[n.status],
        subject=n.subject,
        body=n.body,
        sms=sms(n.sms),
        batch_id=n.batch_id,
        test=n.test,
        attempt_count=n.attempt_count,
        failure_reason=n.failure_reason,
        create_time=ts(n.create_time),
        send_time=ts(n.send_time),
        complete_time=ts(n.complete_time),
        agency_id=n.agency_id,
    )


def batch(view: BatchView) -> pb.Batch:
    row = view.row
    return pb.Batch(
        id=row["id"],
        template_id=row["template_id"],
        template_version=row["template_version"],
        channel=CHANNEL_PB[Channel(row["channel"])],
        reference=row["reference"],
        state=pb.BATCH_STATE_COMPLETED if view.completed else pb.BATCH_STATE_IN_PROGRESS,
        recipient_count=row["recipient_count"],
        accepted_count=row["accepted_count"],
        rejected_count=row["rejected_count"],
        create_time=ts(row["create_time"]),
        status_counts=[
            pb.StatusCount(status=STATUS_PB[s], count=c)
            for s, c in sorted(view.counts.items(), key=lambda item: STATUS_PB[item[0]])
        ],
    )


def batch_results(view: BatchView) -> list[pb.BatchRecipientResult]:
    return [
        pb.BatchRecipientResult(
            index=i,
            notification_id=nid,
            violations=[pb.RecipientViolation(field=f, description=d) for f, d in problems],
        )
        for i, nid, problems in view.results
    ]


def callback(c: CallbackConfig) -> pb.Callback:
    return pb.Callback(
        url=c.url,
        statuses=sorted(STATUS_PB[s] for s in c.statuses),
        secret_create_time=ts(c.secret_create_time),
        create_time=ts(c.create_time),
        update_time=ts(c.update_time),
    )
