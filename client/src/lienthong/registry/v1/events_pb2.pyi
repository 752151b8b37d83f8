from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class CitizenCreated(_message.Message):
    __slots__ = ("personal_id", "version", "actor_agency_id")
    PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    personal_id: str
    version: int
    actor_agency_id: str
    def __init__(self, personal_id: _Optional[str] = ..., version: _Optional[int] = ..., actor_agency_id: _Optional[str] = ...) -> None: ...

class CitizenChanged(_message.Message):
    __slots__ = ("personal_id", "version", "changed_fields", "legal_reason", "actor_agency_id")
    PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    LEGAL_REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    personal_id: str
    version: int
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    legal_reason: str
    actor_agency_id: str
    def __init__(self, personal_id: _Optional[str] = ..., version: _Optional[int] = ..., changed_fields: _Optional[_Iterable[str]] = ..., legal_reason: _Optional[str] = ..., actor_agency_id: _Optional[str] = ...) -> None: ...
