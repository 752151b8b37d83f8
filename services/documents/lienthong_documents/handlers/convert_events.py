"""Small helpers shared by handlers that publish events."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from lienthong.documents.v1 import events_pb2

from ..domain.directory import DirectoryAgency


def timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def recipient_event(agency: DirectoryAgency) -> events_pb2.DocumentRecipient:
    return events_pb2.DocumentRecipient(
        agency_id=agency.agency_id,
        code=agency.code,
        display_name=agency.display_name,
        notification_email=agency.notification_email,
    )
