import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DocumentRecipient(_message.Message):
    __slots__ = ("agency_id", "code", "display_name", "notification_email")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_EMAIL_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    code: str
    display_name: str
    notification_email: str
    def __init__(self, agency_id: _Optional[str] = ..., code: _Optional[str] = ..., display_name: _Optional[str] = ..., notification_email: _Optional[str] = ...) -> None: ...

class DocumentSent(_message.Message):
    __slots__ = ("document_id", "sender_code", "sender_name", "number_symbol", "urgency", "recipients", "send_time", "related_document_id", "relation")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SENDER_CODE_FIELD_NUMBER: _ClassVar[int]
    SENDER_NAME_FIELD_NUMBER: _ClassVar[int]
    NUMBER_SYMBOL_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    SEND_TIME_FIELD_NUMBER: _ClassVar[int]
    RELATED_DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RELATION_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    sender_code: str
    sender_name: str
    number_symbol: str
    urgency: str
    recipients: _containers.RepeatedCompositeFieldContainer[DocumentRecipient]
    send_time: _timestamp_pb2.Timestamp
    related_document_id: str
    relation: str
    def __init__(self, document_id: _Optional[str] = ..., sender_code: _Optional[str] = ..., sender_name: _Optional[str] = ..., number_symbol: _Optional[str] = ..., urgency: _Optional[str] = ..., recipients: _Optional[_Iterable[_Union[DocumentRecipient, _Mapping]]] = ..., send_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., related_document_id: _Optional[str] = ..., relation: _Optional[str] = ...) -> None: ...

class DocumentStatusChanged(_message.Message):
    __slots__ = ("document_id", "recipient_code", "status", "change_time")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    recipient_code: str
    status: str
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, document_id: _Optional[str] = ..., recipient_code: _Optional[str] = ..., status: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DocumentRecalled(_message.Message):
    __slots__ = ("document_id", "sender_code", "recall_time")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SENDER_CODE_FIELD_NUMBER: _ClassVar[int]
    RECALL_TIME_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    sender_code: str
    recall_time: _timestamp_pb2.Timestamp
    def __init__(self, document_id: _Optional[str] = ..., sender_code: _Optional[str] = ..., recall_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
