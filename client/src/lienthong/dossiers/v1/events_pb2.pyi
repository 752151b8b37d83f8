import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DossierStatusChanged(_message.Message):
    __slots__ = ("dossier_id", "code", "part_id", "procedure_code", "procedure_name", "state", "reason", "citizen_personal_id", "change_time", "apology_text", "dossier_state")
    DOSSIER_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    PART_ID_FIELD_NUMBER: _ClassVar[int]
    PROCEDURE_CODE_FIELD_NUMBER: _ClassVar[int]
    PROCEDURE_NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CITIZEN_PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    APOLOGY_TEXT_FIELD_NUMBER: _ClassVar[int]
    DOSSIER_STATE_FIELD_NUMBER: _ClassVar[int]
    dossier_id: str
    code: str
    part_id: str
    procedure_code: str
    procedure_name: str
    state: str
    reason: str
    citizen_personal_id: str
    change_time: _timestamp_pb2.Timestamp
    apology_text: str
    dossier_state: str
    def __init__(self, dossier_id: _Optional[str] = ..., code: _Optional[str] = ..., part_id: _Optional[str] = ..., procedure_code: _Optional[str] = ..., procedure_name: _Optional[str] = ..., state: _Optional[str] = ..., reason: _Optional[str] = ..., citizen_personal_id: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., apology_text: _Optional[str] = ..., dossier_state: _Optional[str] = ...) -> None: ...
