import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentSucceeded(_message.Message):
    __slots__ = ("payment_id", "reference", "description", "amount_vnd", "payer_email", "provider", "provider_reference", "finish_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_VND_FIELD_NUMBER: _ClassVar[int]
    PAYER_EMAIL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    reference: str
    description: str
    amount_vnd: int
    payer_email: str
    provider: str
    provider_reference: str
    finish_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., reference: _Optional[str] = ..., description: _Optional[str] = ..., amount_vnd: _Optional[int] = ..., payer_email: _Optional[str] = ..., provider: _Optional[str] = ..., provider_reference: _Optional[str] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentFailed(_message.Message):
    __slots__ = ("payment_id", "reference", "amount_vnd", "state", "failure_reason", "payer_email", "finish_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_VND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    PAYER_EMAIL_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    reference: str
    amount_vnd: int
    state: str
    failure_reason: str
    payer_email: str
    finish_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., reference: _Optional[str] = ..., amount_vnd: _Optional[int] = ..., state: _Optional[str] = ..., failure_reason: _Optional[str] = ..., payer_email: _Optional[str] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentRefunded(_message.Message):
    __slots__ = ("payment_id", "refund_id", "reference", "amount_vnd", "refunded_amount_vnd", "payer_email", "finish_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_VND_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_VND_FIELD_NUMBER: _ClassVar[int]
    PAYER_EMAIL_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    refund_id: str
    reference: str
    amount_vnd: int
    refunded_amount_vnd: int
    payer_email: str
    finish_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., refund_id: _Optional[str] = ..., reference: _Optional[str] = ..., amount_vnd: _Optional[int] = ..., refunded_amount_vnd: _Optional[int] = ..., payer_email: _Optional[str] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
