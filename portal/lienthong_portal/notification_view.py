"""The notifications sent to the citizen (receipts, notices of record changes), as display rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from lienthong.notify.v1 import notify_pb2

from .access_view import VIETNAM


@dataclass(frozen=True)
class Row:
    time: str
    time_iso: str
    agency: str
    channel: str
    subject: str
    status: str


def rows(
    found: Iterable[notify_pb2.Notification], names: Mapping[str, str], t: Callable[[str], str]
) -> list[Row]:
    out = []
    for n in found:
        when = n.create_time.ToDatetime(dt.UTC).astimezone(VIETNAM)
        status = notify_pb2.NotificationStatus.Name(n.status).removeprefix("NOTIFICATION_STATUS_")
        out.append(
            Row(
                time=when.strftime("%d/%m/%Y %H:%M"),
                time_iso=when.isoformat(timespec="seconds"),
                # Notices notify sends on the platform's own behalf (a record changed) carry no agency.
                agency=names.get(n.agency_id) or n.agency_id or t("platform_sender"),
                channel=t("channel_email") if n.channel == notify_pb2.CHANNEL_EMAIL else t("channel_sms"),
                subject=n.subject or n.body[:120],
                status=t(f"status_{status.lower()}"),
            )
        )
    return out
