import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AgencyCreated(_message.Message):
    __slots__ = ("agency_id", "display_name", "kind", "province_code")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    display_name: str
    kind: str
    province_code: str
    def __init__(self, agency_id: _Optional[str] = ..., display_name: _Optional[str] = ..., kind: _Optional[str] = ..., province_code: _Optional[str] = ...) -> None: ...

class AgencySuspended(_message.Message):
    __slots__ = ("agency_id", "reason", "suspend_time")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SUSPEND_TIME_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    reason: str
    suspend_time: _timestamp_pb2.Timestamp
    def __init__(self, agency_id: _Optional[str] = ..., reason: _Optional[str] = ..., suspend_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AgencyResumed(_message.Message):
    __slots__ = ("agency_id", "resume_time")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    RESUME_TIME_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    resume_time: _timestamp_pb2.Timestamp
    def __init__(self, agency_id: _Optional[str] = ..., resume_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ClientCreated(_message.Message):
    __slots__ = ("client_id", "agency_id", "scopes")
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    SCOPES_FIELD_NUMBER: _ClassVar[int]
    client_id: str
    agency_id: str
    scopes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, client_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., scopes: _Optional[_Iterable[str]] = ...) -> None: ...

class ClientDisabled(_message.Message):
    __slots__ = ("client_id", "agency_id", "disable_time")
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    DISABLE_TIME_FIELD_NUMBER: _ClassVar[int]
    client_id: str
    agency_id: str
    disable_time: _timestamp_pb2.Timestamp
    def __init__(self, client_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., disable_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ClientSecretRotated(_message.Message):
    __slots__ = ("client_id", "agency_id", "previous_secret_expire_time")
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_SECRET_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    client_id: str
    agency_id: str
    previous_secret_expire_time: _timestamp_pb2.Timestamp
    def __init__(self, client_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., previous_secret_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SigningKeyRotated(_message.Message):
    __slots__ = ("current_kid", "next_kid", "retired_kid")
    CURRENT_KID_FIELD_NUMBER: _ClassVar[int]
    NEXT_KID_FIELD_NUMBER: _ClassVar[int]
    RETIRED_KID_FIELD_NUMBER: _ClassVar[int]
    current_kid: str
    next_kid: str
    retired_kid: str
    def __init__(self, current_kid: _Optional[str] = ..., next_kid: _Optional[str] = ..., retired_kid: _Optional[str] = ...) -> None: ...

class TokenRevoked(_message.Message):
    __slots__ = ("token_id", "subject", "expire_time")
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    token_id: str
    subject: str
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, token_id: _Optional[str] = ..., subject: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SessionsRevoked(_message.Message):
    __slots__ = ("subject", "revoke_before", "cause")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    REVOKE_BEFORE_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    subject: str
    revoke_before: _timestamp_pb2.Timestamp
    cause: str
    def __init__(self, subject: _Optional[str] = ..., revoke_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cause: _Optional[str] = ...) -> None: ...

class CitizenContactChanged(_message.Message):
    __slots__ = ("account_id", "personal_id", "email", "phone_number", "change_time")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    personal_id: str
    email: str
    phone_number: str
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, account_id: _Optional[str] = ..., personal_id: _Optional[str] = ..., email: _Optional[str] = ..., phone_number: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
