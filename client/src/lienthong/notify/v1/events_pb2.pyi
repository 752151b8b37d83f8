import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NotificationDelivered(_message.Message):
    __slots__ = ("notification_id", "channel", "reference", "batch_id", "test", "complete_time")
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    channel: str
    reference: str
    batch_id: str
    test: bool
    complete_time: _timestamp_pb2.Timestamp
    def __init__(self, notification_id: _Optional[str] = ..., channel: _Optional[str] = ..., reference: _Optional[str] = ..., batch_id: _Optional[str] = ..., test: _Optional[bool] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NotificationFailed(_message.Message):
    __slots__ = ("notification_id", "channel", "reference", "batch_id", "test", "status", "failure_reason", "complete_time")
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    channel: str
    reference: str
    batch_id: str
    test: bool
    status: str
    failure_reason: str
    complete_time: _timestamp_pb2.Timestamp
    def __init__(self, notification_id: _Optional[str] = ..., channel: _Optional[str] = ..., reference: _Optional[str] = ..., batch_id: _Optional[str] = ..., test: _Optional[bool] = ..., status: _Optional[str] = ..., failure_reason: _Optional[str] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
