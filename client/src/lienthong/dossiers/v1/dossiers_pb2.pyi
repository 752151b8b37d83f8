import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from lienthong.common.v1 import access_pb2 as _access_pb2
from lienthong.common.v1 import date_pb2 as _date_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AgencyLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGENCY_LEVEL_UNSPECIFIED: _ClassVar[AgencyLevel]
    AGENCY_LEVEL_CENTRAL: _ClassVar[AgencyLevel]
    AGENCY_LEVEL_PROVINCE: _ClassVar[AgencyLevel]
    AGENCY_LEVEL_COMMUNE: _ClassVar[AgencyLevel]

class ComponentKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPONENT_KIND_UNSPECIFIED: _ClassVar[ComponentKind]
    COMPONENT_KIND_TEXT: _ClassVar[ComponentKind]
    COMPONENT_KIND_DATE: _ClassVar[ComponentKind]
    COMPONENT_KIND_NUMBER: _ClassVar[ComponentKind]
    COMPONENT_KIND_PERSONAL_ID: _ClassVar[ComponentKind]
    COMPONENT_KIND_ATTACHMENT: _ClassVar[ComponentKind]

class PartState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PART_STATE_UNSPECIFIED: _ClassVar[PartState]
    PART_STATE_AWAITING_PAYMENT: _ClassVar[PartState]
    PART_STATE_RECEIVED: _ClassVar[PartState]
    PART_STATE_PROCESSING: _ClassVar[PartState]
    PART_STATE_AWAITING_SUPPLEMENT: _ClassVar[PartState]
    PART_STATE_APPROVED: _ClassVar[PartState]
    PART_STATE_REJECTED: _ClassVar[PartState]
    PART_STATE_RESULT_RETURNED: _ClassVar[PartState]

class DossierState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DOSSIER_STATE_UNSPECIFIED: _ClassVar[DossierState]
    DOSSIER_STATE_AWAITING_PAYMENT: _ClassVar[DossierState]
    DOSSIER_STATE_IN_PROGRESS: _ClassVar[DossierState]
    DOSSIER_STATE_COMPLETED: _ClassVar[DossierState]
AGENCY_LEVEL_UNSPECIFIED: AgencyLevel
AGENCY_LEVEL_CENTRAL: AgencyLevel
AGENCY_LEVEL_PROVINCE: AgencyLevel
AGENCY_LEVEL_COMMUNE: AgencyLevel
COMPONENT_KIND_UNSPECIFIED: ComponentKind
COMPONENT_KIND_TEXT: ComponentKind
COMPONENT_KIND_DATE: ComponentKind
COMPONENT_KIND_NUMBER: ComponentKind
COMPONENT_KIND_PERSONAL_ID: ComponentKind
COMPONENT_KIND_ATTACHMENT: ComponentKind
PART_STATE_UNSPECIFIED: PartState
PART_STATE_AWAITING_PAYMENT: PartState
PART_STATE_RECEIVED: PartState
PART_STATE_PROCESSING: PartState
PART_STATE_AWAITING_SUPPLEMENT: PartState
PART_STATE_APPROVED: PartState
PART_STATE_REJECTED: PartState
PART_STATE_RESULT_RETURNED: PartState
DOSSIER_STATE_UNSPECIFIED: DossierState
DOSSIER_STATE_AWAITING_PAYMENT: DossierState
DOSSIER_STATE_IN_PROGRESS: DossierState
DOSSIER_STATE_COMPLETED: DossierState

class Component(_message.Message):
    __slots__ = ("name", "label", "kind", "required")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    name: str
    label: str
    kind: ComponentKind
    required: bool
    def __init__(self, name: _Optional[str] = ..., label: _Optional[str] = ..., kind: _Optional[_Union[ComponentKind, str]] = ..., required: _Optional[bool] = ...) -> None: ...

class ProcedurePart(_message.Message):
    __slots__ = ("agency_id", "title", "processing_working_days")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    title: str
    processing_working_days: int
    def __init__(self, agency_id: _Optional[str] = ..., title: _Optional[str] = ..., processing_working_days: _Optional[int] = ...) -> None: ...

class Procedure(_message.Message):
    __slots__ = ("code", "version", "name", "agency_id", "level", "province_code", "components", "parts", "fee_vnd", "fee_before_processing", "electronic_result", "publish_time")
    CODE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    FEE_VND_FIELD_NUMBER: _ClassVar[int]
    FEE_BEFORE_PROCESSING_FIELD_NUMBER: _ClassVar[int]
    ELECTRONIC_RESULT_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    code: str
    version: int
    name: str
    agency_id: str
    level: AgencyLevel
    province_code: str
    components: _containers.RepeatedCompositeFieldContainer[Component]
    parts: _containers.RepeatedCompositeFieldContainer[ProcedurePart]
    fee_vnd: int
    fee_before_processing: bool
    electronic_result: bool
    publish_time: _timestamp_pb2.Timestamp
    def __init__(self, code: _Optional[str] = ..., version: _Optional[int] = ..., name: _Optional[str] = ..., agency_id: _Optional[str] = ..., level: _Optional[_Union[AgencyLevel, str]] = ..., province_code: _Optional[str] = ..., components: _Optional[_Iterable[_Union[Component, _Mapping]]] = ..., parts: _Optional[_Iterable[_Union[ProcedurePart, _Mapping]]] = ..., fee_vnd: _Optional[int] = ..., fee_before_processing: _Optional[bool] = ..., electronic_result: _Optional[bool] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProcedureSpec(_message.Message):
    __slots__ = ("name", "level", "province_code", "components", "parts", "fee_vnd", "fee_before_processing", "electronic_result")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    FEE_VND_FIELD_NUMBER: _ClassVar[int]
    FEE_BEFORE_PROCESSING_FIELD_NUMBER: _ClassVar[int]
    ELECTRONIC_RESULT_FIELD_NUMBER: _ClassVar[int]
    name: str
    level: AgencyLevel
    province_code: str
    components: _containers.RepeatedCompositeFieldContainer[Component]
    parts: _containers.RepeatedCompositeFieldContainer[ProcedurePart]
    fee_vnd: int
    fee_before_processing: bool
    electronic_result: bool
    def __init__(self, name: _Optional[str] = ..., level: _Optional[_Union[AgencyLevel, str]] = ..., province_code: _Optional[str] = ..., components: _Optional[_Iterable[_Union[Component, _Mapping]]] = ..., parts: _Optional[_Iterable[_Union[ProcedurePart, _Mapping]]] = ..., fee_vnd: _Optional[int] = ..., fee_before_processing: _Optional[bool] = ..., electronic_result: _Optional[bool] = ...) -> None: ...

class CreateProcedureRequest(_message.Message):
    __slots__ = ("code", "spec")
    CODE_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    code: str
    spec: ProcedureSpec
    def __init__(self, code: _Optional[str] = ..., spec: _Optional[_Union[ProcedureSpec, _Mapping]] = ...) -> None: ...

class CreateProcedureResponse(_message.Message):
    __slots__ = ("procedure",)
    PROCEDURE_FIELD_NUMBER: _ClassVar[int]
    procedure: Procedure
    def __init__(self, procedure: _Optional[_Union[Procedure, _Mapping]] = ...) -> None: ...

class PublishProcedureVersionRequest(_message.Message):
    __slots__ = ("code", "spec")
    CODE_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    code: str
    spec: ProcedureSpec
    def __init__(self, code: _Optional[str] = ..., spec: _Optional[_Union[ProcedureSpec, _Mapping]] = ...) -> None: ...

class PublishProcedureVersionResponse(_message.Message):
    __slots__ = ("procedure",)
    PROCEDURE_FIELD_NUMBER: _ClassVar[int]
    procedure: Procedure
    def __init__(self, procedure: _Optional[_Union[Procedure, _Mapping]] = ...) -> None: ...

class GetProcedureRequest(_message.Message):
    __slots__ = ("code", "version")
    CODE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    code: str
    version: int
    def __init__(self, code: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetProcedureResponse(_message.Message):
    __slots__ = ("procedure",)
    PROCEDURE_FIELD_NUMBER: _ClassVar[int]
    procedure: Procedure
    def __init__(self, procedure: _Optional[_Union[Procedure, _Mapping]] = ...) -> None: ...

class ListProceduresRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "agency_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    agency_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., agency_id: _Optional[str] = ...) -> None: ...

class ListProceduresResponse(_message.Message):
    __slots__ = ("procedures", "next_page_token")
    PROCEDURES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    procedures: _containers.RepeatedCompositeFieldContainer[Procedure]
    next_page_token: str
    def __init__(self, procedures: _Optional[_Iterable[_Union[Procedure, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class HistoryEntry(_message.Message):
    __slots__ = ("state", "actor", "agency_id", "time", "reason")
    STATE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    state: PartState
    actor: str
    agency_id: str
    time: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, state: _Optional[_Union[PartState, str]] = ..., actor: _Optional[str] = ..., agency_id: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class ApologyLetter(_message.Message):
    __slots__ = ("text", "issue_time", "new_appointment_date")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ISSUE_TIME_FIELD_NUMBER: _ClassVar[int]
    NEW_APPOINTMENT_DATE_FIELD_NUMBER: _ClassVar[int]
    text: str
    issue_time: _timestamp_pb2.Timestamp
    new_appointment_date: _date_pb2.Date
    def __init__(self, text: _Optional[str] = ..., issue_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., new_appointment_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class DossierPart(_message.Message):
    __slots__ = ("part_id", "agency_id", "title", "state", "processing_working_days", "due_date", "officer_id", "reason", "result_document_id", "history", "apologies", "receive_time", "complete_time")
    PART_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RESULT_DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    APOLOGIES_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    part_id: str
    agency_id: str
    title: str
    state: PartState
    processing_working_days: int
    due_date: _date_pb2.Date
    officer_id: str
    reason: str
    result_document_id: str
    history: _containers.RepeatedCompositeFieldContainer[HistoryEntry]
    apologies: _containers.RepeatedCompositeFieldContainer[ApologyLetter]
    receive_time: _timestamp_pb2.Timestamp
    complete_time: _timestamp_pb2.Timestamp
    def __init__(self, part_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., title: _Optional[str] = ..., state: _Optional[_Union[PartState, str]] = ..., processing_working_days: _Optional[int] = ..., due_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., officer_id: _Optional[str] = ..., reason: _Optional[str] = ..., result_document_id: _Optional[str] = ..., history: _Optional[_Iterable[_Union[HistoryEntry, _Mapping]]] = ..., apologies: _Optional[_Iterable[_Union[ApologyLetter, _Mapping]]] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Dossier(_message.Message):
    __slots__ = ("id", "code", "procedure_code", "procedure_version", "state", "form", "fee_vnd", "payment_reference", "fee_paid", "parts", "file_time", "complete_time")
    class FormEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    PROCEDURE_CODE_FIELD_NUMBER: _ClassVar[int]
    PROCEDURE_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    FORM_FIELD_NUMBER: _ClassVar[int]
    FEE_VND_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FEE_PAID_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    FILE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    code: str
    procedure_code: str
    procedure_version: int
    state: DossierState
    form: _containers.ScalarMap[str, str]
    fee_vnd: int
    payment_reference: str
    fee_paid: bool
    parts: _containers.RepeatedCompositeFieldContainer[DossierPart]
    file_time: _timestamp_pb2.Timestamp
    complete_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., code: _Optional[str] = ..., procedure_code: _Optional[str] = ..., procedure_version: _Optional[int] = ..., state: _Optional[_Union[DossierState, str]] = ..., form: _Optional[_Mapping[str, str]] = ..., fee_vnd: _Optional[int] = ..., payment_reference: _Optional[str] = ..., fee_paid: _Optional[bool] = ..., parts: _Optional[_Iterable[_Union[DossierPart, _Mapping]]] = ..., file_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FileDossierRequest(_message.Message):
    __slots__ = ("procedure_code", "form", "idempotency_key")
    class FormEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROCEDURE_CODE_FIELD_NUMBER: _ClassVar[int]
    FORM_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    procedure_code: str
    form: _containers.ScalarMap[str, str]
    idempotency_key: str
    def __init__(self, procedure_code: _Optional[str] = ..., form: _Optional[_Mapping[str, str]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class FileDossierResponse(_message.Message):
    __slots__ = ("dossier",)
    DOSSIER_FIELD_NUMBER: _ClassVar[int]
    dossier: Dossier
    def __init__(self, dossier: _Optional[_Union[Dossier, _Mapping]] = ...) -> None: ...

class PrefillFormRequest(_message.Message):
    __slots__ = ("procedure_code", "purpose", "consent")
    PROCEDURE_CODE_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    procedure_code: str
    purpose: str
    consent: bool
    def __init__(self, procedure_code: _Optional[str] = ..., purpose: _Optional[str] = ..., consent: _Optional[bool] = ...) -> None: ...

class PrefillFormResponse(_message.Message):
    __slots__ = ("form", "disclosed_fields")
    class FormEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    FORM_FIELD_NUMBER: _ClassVar[int]
    DISCLOSED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    form: _containers.ScalarMap[str, str]
    disclosed_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, form: _Optional[_Mapping[str, str]] = ..., disclosed_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class GetMyDossierRequest(_message.Message):
    __slots__ = ("dossier_id",)
    DOSSIER_ID_FIELD_NUMBER: _ClassVar[int]
    dossier_id: str
    def __init__(self, dossier_id: _Optional[str] = ...) -> None: ...

class GetMyDossierResponse(_message.Message):
    __slots__ = ("dossier",)
    DOSSIER_FIELD_NUMBER: _ClassVar[int]
    dossier: Dossier
    def __init__(self, dossier: _Optional[_Union[Dossier, _Mapping]] = ...) -> None: ...

class ListMyDossiersRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListMyDossiersResponse(_message.Message):
    __slots__ = ("dossiers", "next_page_token")
    DOSSIERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    dossiers: _containers.RepeatedCompositeFieldContainer[Dossier]
    next_page_token: str
    def __init__(self, dossiers: _Optional[_Iterable[_Union[Dossier, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SupplyDossierRequest(_message.Message):
    __slots__ = ("dossier_id", "form")
    class FormEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DOSSIER_ID_FIELD_NUMBER: _ClassVar[int]
    FORM_FIELD_NUMBER: _ClassVar[int]
    dossier_id: str
    form: _containers.ScalarMap[str, str]
    def __init__(self, dossier_id: _Optional[str] = ..., form: _Optional[_Mapping[str, str]] = ...) -> None: ...

class SupplyDossierResponse(_message.Message):
    __slots__ = ("dossier",)
    DOSSIER_FIELD_NUMBER: _ClassVar[int]
    dossier: Dossier
    def __init__(self, dossier: _Optional[_Union[Dossier, _Mapping]] = ...) -> None: ...

class GetDossierRequest(_message.Message):
    __slots__ = ("dossier_id",)
    DOSSIER_ID_FIELD_NUMBER: _ClassVar[int]
    dossier_id: str
    def __init__(self, dossier_id: _Optional[str] = ...) -> None: ...

class GetDossierResponse(_message.Message):
    __slots__ = ("dossier",)
    DOSSIER_FIELD_NUMBER: _ClassVar[int]
    dossier: Dossier
    def __init__(self, dossier: _Optional[_Union[Dossier, _Mapping]] = ...) -> None: ...

class ListAgencyInboxRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "state")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    state: PartState
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., state: _Optional[_Union[PartState, str]] = ...) -> None: ...

class ListAgencyInboxResponse(_message.Message):
    __slots__ = ("dossiers", "next_page_token")
    DOSSIERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    dossiers: _containers.RepeatedCompositeFieldContainer[Dossier]
    next_page_token: str
    def __init__(self, dossiers: _Optional[_Iterable[_Union[Dossier, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AssignDossierRequest(_message.Message):
    __slots__ = ("dossier_id", "officer_id")
    DOSSIER_ID_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    dossier_id: str
    officer_id: str
    def __init__(self, dossier_id: _Optional[str] = ..., officer_id: _Optional[str] = ...) -> None: ...

class AssignDossierResponse(_message.Message):
    __slots__ = ("dossier",)
    DOSSIER_FIELD_NUMBER: _ClassVar[int]
    dossier: Dossier
    def __init__(self, dossier: _Optional[_Union[Dossier, _Mapping]] = ...) -> None: ...

class RequestSupplementRequest(_message.Message):
    __slots__ = ("dossier_id", "reason")
    DOSSIER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    dossier_id: str
    reason: str
    def __init__(self, dossier_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RequestSupplementResponse(_message.Message):
    __slots__ = ("dossier",)
    DOSSIER_FIELD_NUMBER: _ClassVar[int]
    dossier: Dossier
    def __init__(self, dossier: _Optional[_Union[Dossier, _Mapping]] = ...) -> None: ...

class ApproveDossierRequest(_message.Message):
    __slots__ = ("dossier_id",)
    DOSSIER_ID_FIELD_NUMBER: _ClassVar[int]
    dossier_id: str
    def __init__(self, dossier_id: _Optional[str] = ...) -> None: ...

class ApproveDossierResponse(_message.Message):
    __slots__ = ("dossier",)
    DOSSIER_FIELD_NUMBER: _ClassVar[int]
    dossier: Dossier
    def __init__(self, dossier: _Optional[_Union[Dossier, _Mapping]] = ...) -> None: ...

class RejectDossierRequest(_message.Message):
    __slots__ = ("dossier_id", "legal_reason")
    DOSSIER_ID_FIELD_NUMBER: _ClassVar[int]
    LEGAL_REASON_FIELD_NUMBER: _ClassVar[int]
    dossier_id: str
    legal_reason: str
    def __init__(self, dossier_id: _Optional[str] = ..., legal_reason: _Optional[str] = ...) -> None: ...

class RejectDossierResponse(_message.Message):
    __slots__ = ("dossier",)
    DOSSIER_FIELD_NUMBER: _ClassVar[int]
    dossier: Dossier
    def __init__(self, dossier: _Optional[_Union[Dossier, _Mapping]] = ...) -> None: ...

class ReturnResultRequest(_message.Message):
    __slots__ = ("dossier_id", "result_document_id")
    DOSSIER_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    dossier_id: str
    result_document_id: str
    def __init__(self, dossier_id: _Optional[str] = ..., result_document_id: _Optional[str] = ...) -> None: ...

class ReturnResultResponse(_message.Message):
    __slots__ = ("dossier",)
    DOSSIER_FIELD_NUMBER: _ClassVar[int]
    dossier: Dossier
    def __init__(self, dossier: _Optional[_Union[Dossier, _Mapping]] = ...) -> None: ...

class OnTimeRow(_message.Message):
    __slots__ = ("agency_id", "procedure_code", "period", "received", "on_time", "late", "average_working_days")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    PROCEDURE_CODE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    procedure_code: str
    period: str
    received: int
    on_time: int
    late: int
    average_working_days: float
    def __init__(self, agency_id: _Optional[str] = ..., procedure_code: _Optional[str] = ..., period: _Optional[str] = ..., received: _Optional[int] = ..., on_time: _Optional[int] = ..., late: _Optional[int] = ..., average_working_days: _Optional[float] = ...) -> None: ...

class GetOnTimeReportRequest(_message.Message):
    __slots__ = ("start_date", "end_date", "procedure_code", "agency_id", "include_csv")
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    PROCEDURE_CODE_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CSV_FIELD_NUMBER: _ClassVar[int]
    start_date: _date_pb2.Date
    end_date: _date_pb2.Date
    procedure_code: str
    agency_id: str
    include_csv: bool
    def __init__(self, start_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., end_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., procedure_code: _Optional[str] = ..., agency_id: _Optional[str] = ..., include_csv: _Optional[bool] = ...) -> None: ...

class GetOnTimeReportResponse(_message.Message):
    __slots__ = ("rows", "csv")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    CSV_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[OnTimeRow]
    csv: str
    def __init__(self, rows: _Optional[_Iterable[_Union[OnTimeRow, _Mapping]]] = ..., csv: _Optional[str] = ...) -> None: ...

class LateDossier(_message.Message):
    __slots__ = ("dossier_id", "code", "part_id", "agency_id", "procedure_code", "due_date", "waited_in", "officer_id", "completed", "new_appointment_date")
    DOSSIER_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    PART_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    PROCEDURE_CODE_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    WAITED_IN_FIELD_NUMBER: _ClassVar[int]
    OFFICER_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    NEW_APPOINTMENT_DATE_FIELD_NUMBER: _ClassVar[int]
    dossier_id: str
    code: str
    part_id: str
    agency_id: str
    procedure_code: str
    due_date: _date_pb2.Date
    waited_in: PartState
    officer_id: str
    completed: bool
    new_appointment_date: _date_pb2.Date
    def __init__(self, dossier_id: _Optional[str] = ..., code: _Optional[str] = ..., part_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., procedure_code: _Optional[str] = ..., due_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., waited_in: _Optional[_Union[PartState, str]] = ..., officer_id: _Optional[str] = ..., completed: _Optional[bool] = ..., new_appointment_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ...) -> None: ...

class ListLateDossiersRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "agency_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    agency_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., agency_id: _Optional[str] = ...) -> None: ...

class ListLateDossiersResponse(_message.Message):
    __slots__ = ("dossiers", "next_page_token")
    DOSSIERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    dossiers: _containers.RepeatedCompositeFieldContainer[LateDossier]
    next_page_token: str
    def __init__(self, dossiers: _Optional[_Iterable[_Union[LateDossier, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SetMakeUpDaysRequest(_message.Message):
    __slots__ = ("year", "working_days", "days_off")
    YEAR_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    DAYS_OFF_FIELD_NUMBER: _ClassVar[int]
    year: int
    working_days: _containers.RepeatedCompositeFieldContainer[_date_pb2.Date]
    days_off: _containers.RepeatedCompositeFieldContainer[_date_pb2.Date]
    def __init__(self, year: _Optional[int] = ..., working_days: _Optional[_Iterable[_Union[_date_pb2.Date, _Mapping]]] = ..., days_off: _Optional[_Iterable[_Union[_date_pb2.Date, _Mapping]]] = ...) -> None: ...

class SetMakeUpDaysResponse(_message.Message):
    __slots__ = ("year", "working_days", "days_off")
    YEAR_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    DAYS_OFF_FIELD_NUMBER: _ClassVar[int]
    year: int
    working_days: _containers.RepeatedCompositeFieldContainer[_date_pb2.Date]
    days_off: _containers.RepeatedCompositeFieldContainer[_date_pb2.Date]
    def __init__(self, year: _Optional[int] = ..., working_days: _Optional[_Iterable[_Union[_date_pb2.Date, _Mapping]]] = ..., days_off: _Optional[_Iterable[_Union[_date_pb2.Date, _Mapping]]] = ...) -> None: ...

class DossierAttachmentHeader(_message.Message):
    __slots__ = ("file_name", "content_type")
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    file_name: str
    content_type: str
    def __init__(self, file_name: _Optional[str] = ..., content_type: _Optional[str] = ...) -> None: ...

class UploadDossierAttachmentRequest(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: DossierAttachmentHeader
    chunk: bytes
    def __init__(self, header: _Optional[_Union[DossierAttachmentHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class DossierAttachment(_message.Message):
    __slots__ = ("attachment_id", "file_name", "content_type", "size_bytes", "sha256")
    ATTACHMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    attachment_id: str
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    def __init__(self, attachment_id: _Optional[str] = ..., file_name: _Optional[str] = ..., content_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...

class UploadDossierAttachmentResponse(_message.Message):
    __slots__ = ("attachment",)
    ATTACHMENT_FIELD_NUMBER: _ClassVar[int]
    attachment: DossierAttachment
    def __init__(self, attachment: _Optional[_Union[DossierAttachment, _Mapping]] = ...) -> None: ...

class GetDossierAttachmentRequest(_message.Message):
    __slots__ = ("dossier_id", "attachment_id")
    DOSSIER_ID_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENT_ID_FIELD_NUMBER: _ClassVar[int]
    dossier_id: str
    attachment_id: str
    def __init__(self, dossier_id: _Optional[str] = ..., attachment_id: _Optional[str] = ...) -> None: ...

class GetDossierAttachmentResponse(_message.Message):
    __slots__ = ("attachment", "chunk")
    ATTACHMENT_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    attachment: DossierAttachment
    chunk: bytes
    def __init__(self, attachment: _Optional[_Union[DossierAttachment, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...
