"""``google.protobuf.Timestamp`` from the platform's times: one conversion for every service's servicers and events
(it was written eight times, with small differences in how "no time" was treated)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

__all__ = ["datetime_of", "optional_timestamp", "timestamp"]


def timestamp(value: datetime | float) -> Timestamp:
    """A Timestamp from an aware datetime or epoch seconds."""
    stamp = Timestamp()
    if isinstance(value, datetime):
        stamp.FromDatetime(value)
    else:
        stamp.FromNanoseconds(int(value * 1e9))
    return stamp


def optional_timestamp(value: datetime | float | None) -> Timestamp | None:
    """A Timestamp, or None (the field stays unset) for no time: ``None`` or epoch 0."""
    if value is None or (not isinstance(value, datetime) and value == 0):
        return None
    return timestamp(value)


def datetime_of(message: Any, field: str) -> datetime | None:
    """The aware UTC datetime of ``message.field``, or None when the field is unset."""
    return getattr(message, field).ToDatetime(tzinfo=UTC) if message.HasField(field) else None
