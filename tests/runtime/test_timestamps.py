"""One conversion of the platform's times to protobuf Timestamps (``lienthong_runtime.timestamps``)."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from lienthong.identity.v1 import identity_pb2 as pb
from lienthong_runtime.timestamps import datetime_of, optional_timestamp, timestamp


def test_datetimes_and_epoch_seconds_convert_alike() -> None:
    moment = datetime(2027, 2, 4, 1, 2, 3, 456789, tzinfo=UTC)
    assert timestamp(moment).ToDatetime(tzinfo=UTC) == moment
    from_seconds = timestamp(moment.timestamp()).ToDatetime(tzinfo=UTC)
    assert abs((from_seconds - moment).total_seconds()) <= 1e-6  # a float holds epoch microseconds to ±1


def test_no_time_leaves_the_field_unset() -> None:
    assert optional_timestamp(None) is None
    assert optional_timestamp(0) is None
    assert optional_timestamp(1.5) == Timestamp(seconds=1, nanos=500_000_000)


def test_an_unset_field_reads_as_none() -> None:
    request = pb.ListAuditEventsRequest()
    assert datetime_of(request, "start_time") is None
    request.start_time.FromDatetime(datetime(2026, 12, 5, tzinfo=UTC))
    assert datetime_of(request, "start_time") == datetime(2026, 12, 5, tzinfo=UTC)
