"""Small helpers shared by handlers that publish events."""

from __future__ import annotations

from lienthong.documents.v1 import events_pb2

from ..domain.directory import DirectoryAgency


def recipient_event(agency: DirectoryAgency) -> events_pb2.DocumentRecipient:
    return events_pb2.DocumentRecipient(
        agency_id=agency.agency_id,
        code=agency.code,
        display_name=agency.display_name,
        notification_email=agency.notification_email,
    )
