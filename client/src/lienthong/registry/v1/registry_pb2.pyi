import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
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

class Sex(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEX_UNSPECIFIED: _ClassVar[Sex]
    SEX_MALE: _ClassVar[Sex]
    SEX_FEMALE: _ClassVar[Sex]

class LifeStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LIFE_STATUS_UNSPECIFIED: _ClassVar[LifeStatus]
    LIFE_STATUS_ALIVE: _ClassVar[LifeStatus]
    LIFE_STATUS_DECEASED: _ClassVar[LifeStatus]

class HouseholdRelation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOUSEHOLD_RELATION_UNSPECIFIED: _ClassVar[HouseholdRelation]
    HOUSEHOLD_RELATION_HEAD: _ClassVar[HouseholdRelation]
    HOUSEHOLD_RELATION_SPOUSE: _ClassVar[HouseholdRelation]
    HOUSEHOLD_RELATION_CHILD: _ClassVar[HouseholdRelation]
    HOUSEHOLD_RELATION_PARENT: _ClassVar[HouseholdRelation]
    HOUSEHOLD_RELATION_GRANDCHILD: _ClassVar[HouseholdRelation]
    HOUSEHOLD_RELATION_GRANDPARENT: _ClassVar[HouseholdRelation]
    HOUSEHOLD_RELATION_SIBLING: _ClassVar[HouseholdRelation]
    HOUSEHOLD_RELATION_CHILD_IN_LAW: _ClassVar[HouseholdRelation]
    HOUSEHOLD_RELATION_OTHER_RELATIVE: _ClassVar[HouseholdRelation]
    HOUSEHOLD_RELATION_NON_RELATIVE: _ClassVar[HouseholdRelation]

class VerificationResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERIFICATION_RESULT_UNSPECIFIED: _ClassVar[VerificationResult]
    VERIFICATION_RESULT_MATCH: _ClassVar[VerificationResult]
    VERIFICATION_RESULT_NO_MATCH: _ClassVar[VerificationResult]

class AccessAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCESS_ACTION_UNSPECIFIED: _ClassVar[AccessAction]
    ACCESS_ACTION_READ: _ClassVar[AccessAction]
    ACCESS_ACTION_VERIFY: _ClassVar[AccessAction]
    ACCESS_ACTION_SEARCH: _ClassVar[AccessAction]
    ACCESS_ACTION_HOUSEHOLD: _ClassVar[AccessAction]
    ACCESS_ACTION_HISTORY: _ClassVar[AccessAction]
    ACCESS_ACTION_WRITE: _ClassVar[AccessAction]
SEX_UNSPECIFIED: Sex
SEX_MALE: Sex
SEX_FEMALE: Sex
LIFE_STATUS_UNSPECIFIED: LifeStatus
LIFE_STATUS_ALIVE: LifeStatus
LIFE_STATUS_DECEASED: LifeStatus
HOUSEHOLD_RELATION_UNSPECIFIED: HouseholdRelation
HOUSEHOLD_RELATION_HEAD: HouseholdRelation
HOUSEHOLD_RELATION_SPOUSE: HouseholdRelation
HOUSEHOLD_RELATION_CHILD: HouseholdRelation
HOUSEHOLD_RELATION_PARENT: HouseholdRelation
HOUSEHOLD_RELATION_GRANDCHILD: HouseholdRelation
HOUSEHOLD_RELATION_GRANDPARENT: HouseholdRelation
HOUSEHOLD_RELATION_SIBLING: HouseholdRelation
HOUSEHOLD_RELATION_CHILD_IN_LAW: HouseholdRelation
HOUSEHOLD_RELATION_OTHER_RELATIVE: HouseholdRelation
HOUSEHOLD_RELATION_NON_RELATIVE: HouseholdRelation
VERIFICATION_RESULT_UNSPECIFIED: VerificationResult
VERIFICATION_RESULT_MATCH: VerificationResult
VERIFICATION_RESULT_NO_MATCH: VerificationResult
ACCESS_ACTION_UNSPECIFIED: AccessAction
ACCESS_ACTION_READ: AccessAction
ACCESS_ACTION_VERIFY: AccessAction
ACCESS_ACTION_SEARCH: AccessAction
ACCESS_ACTION_HOUSEHOLD: AccessAction
ACCESS_ACTION_HISTORY: AccessAction
ACCESS_ACTION_WRITE: AccessAction

class Address(_message.Message):
    __slots__ = ("province_code", "ward_code", "detail")
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    WARD_CODE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    province_code: str
    ward_code: str
    detail: str
    def __init__(self, province_code: _Optional[str] = ..., ward_code: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class Citizen(_message.Message):
    __slots__ = ("personal_id", "full_name", "date_of_birth", "sex", "nationality", "place_of_birth", "permanent_address", "current_address", "household_id", "household_relation", "life_status", "date_of_death", "version", "create_time", "update_time")
    PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    SEX_FIELD_NUMBER: _ClassVar[int]
    NATIONALITY_FIELD_NUMBER: _ClassVar[int]
    PLACE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_RELATION_FIELD_NUMBER: _ClassVar[int]
    LIFE_STATUS_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_DEATH_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    personal_id: str
    full_name: str
    date_of_birth: _date_pb2.Date
    sex: Sex
    nationality: str
    place_of_birth: Address
    permanent_address: Address
    current_address: Address
    household_id: str
    household_relation: HouseholdRelation
    life_status: LifeStatus
    date_of_death: _date_pb2.Date
    version: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, personal_id: _Optional[str] = ..., full_name: _Optional[str] = ..., date_of_birth: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., sex: _Optional[_Union[Sex, str]] = ..., nationality: _Optional[str] = ..., place_of_birth: _Optional[_Union[Address, _Mapping]] = ..., permanent_address: _Optional[_Union[Address, _Mapping]] = ..., current_address: _Optional[_Union[Address, _Mapping]] = ..., household_id: _Optional[str] = ..., household_relation: _Optional[_Union[HouseholdRelation, str]] = ..., life_status: _Optional[_Union[LifeStatus, str]] = ..., date_of_death: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CitizenView(_message.Message):
    __slots__ = ("personal_id", "full_name", "date_of_birth", "sex", "nationality", "place_of_birth", "permanent_address", "current_address", "household_id", "household_relation", "life_status", "date_of_death", "version", "disclosed_fields")
    PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    SEX_FIELD_NUMBER: _ClassVar[int]
    NATIONALITY_FIELD_NUMBER: _ClassVar[int]
    PLACE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_RELATION_FIELD_NUMBER: _ClassVar[int]
    LIFE_STATUS_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_DEATH_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DISCLOSED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    personal_id: str
    full_name: str
    date_of_birth: _date_pb2.Date
    sex: Sex
    nationality: str
    place_of_birth: Address
    permanent_address: Address
    current_address: Address
    household_id: str
    household_relation: HouseholdRelation
    life_status: LifeStatus
    date_of_death: _date_pb2.Date
    version: int
    disclosed_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, personal_id: _Optional[str] = ..., full_name: _Optional[str] = ..., date_of_birth: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., sex: _Optional[_Union[Sex, str]] = ..., nationality: _Optional[str] = ..., place_of_birth: _Optional[_Union[Address, _Mapping]] = ..., permanent_address: _Optional[_Union[Address, _Mapping]] = ..., current_address: _Optional[_Union[Address, _Mapping]] = ..., household_id: _Optional[str] = ..., household_relation: _Optional[_Union[HouseholdRelation, str]] = ..., life_status: _Optional[_Union[LifeStatus, str]] = ..., date_of_death: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., version: _Optional[int] = ..., disclosed_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateCitizenRequest(_message.Message):
    __slots__ = ("citizen", "legal_reason", "idempotency_key")
    CITIZEN_FIELD_NUMBER: _ClassVar[int]
    LEGAL_REASON_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    citizen: Citizen
    legal_reason: str
    idempotency_key: str
    def __init__(self, citizen: _Optional[_Union[Citizen, _Mapping]] = ..., legal_reason: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class CreateCitizenResponse(_message.Message):
    __slots__ = ("citizen",)
    CITIZEN_FIELD_NUMBER: _ClassVar[int]
    citizen: Citizen
    def __init__(self, citizen: _Optional[_Union[Citizen, _Mapping]] = ...) -> None: ...

class GetCitizenRequest(_message.Message):
    __slots__ = ("personal_id", "purpose")
    PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    personal_id: str
    purpose: str
    def __init__(self, personal_id: _Optional[str] = ..., purpose: _Optional[str] = ...) -> None: ...

class GetCitizenResponse(_message.Message):
    __slots__ = ("citizen",)
    CITIZEN_FIELD_NUMBER: _ClassVar[int]
    citizen: CitizenView
    def __init__(self, citizen: _Optional[_Union[CitizenView, _Mapping]] = ...) -> None: ...

class UpdateCitizenRequest(_message.Message):
    __slots__ = ("personal_id", "expected_version", "citizen", "update_mask", "legal_reason")
    PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    CITIZEN_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    LEGAL_REASON_FIELD_NUMBER: _ClassVar[int]
    personal_id: str
    expected_version: int
    citizen: Citizen
    update_mask: _field_mask_pb2.FieldMask
    legal_reason: str
    def __init__(self, personal_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., citizen: _Optional[_Union[Citizen, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., legal_reason: _Optional[str] = ...) -> None: ...

class UpdateCitizenResponse(_message.Message):
    __slots__ = ("citizen",)
    CITIZEN_FIELD_NUMBER: _ClassVar[int]
    citizen: Citizen
    def __init__(self, citizen: _Optional[_Union[Citizen, _Mapping]] = ...) -> None: ...

class ListHouseholdRequest(_message.Message):
    __slots__ = ("household_id", "purpose", "page_size", "page_token")
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    household_id: str
    purpose: str
    page_size: int
    page_token: str
    def __init__(self, household_id: _Optional[str] = ..., purpose: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListHouseholdResponse(_message.Message):
    __slots__ = ("members", "next_page_token")
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[CitizenView]
    next_page_token: str
    def __init__(self, members: _Optional[_Iterable[_Union[CitizenView, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CitizenVersion(_message.Message):
    __slots__ = ("version", "create_time", "actor_agency_id", "actor_client_id", "legal_reason", "changed_fields", "snapshot")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ACTOR_AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    LEGAL_REASON_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    version: int
    create_time: _timestamp_pb2.Timestamp
    actor_agency_id: str
    actor_client_id: str
    legal_reason: str
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    snapshot: CitizenView
    def __init__(self, version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor_agency_id: _Optional[str] = ..., actor_client_id: _Optional[str] = ..., legal_reason: _Optional[str] = ..., changed_fields: _Optional[_Iterable[str]] = ..., snapshot: _Optional[_Union[CitizenView, _Mapping]] = ...) -> None: ...

class GetCitizenHistoryRequest(_message.Message):
    __slots__ = ("personal_id", "purpose", "page_size", "page_token")
    PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    personal_id: str
    purpose: str
    page_size: int
    page_token: str
    def __init__(self, personal_id: _Optional[str] = ..., purpose: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetCitizenHistoryResponse(_message.Message):
    __slots__ = ("versions", "next_page_token")
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[CitizenVersion]
    next_page_token: str
    def __init__(self, versions: _Optional[_Iterable[_Union[CitizenVersion, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CitizenClaims(_message.Message):
    __slots__ = ("full_name", "date_of_birth", "sex", "permanent_address", "life_status")
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    SEX_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    LIFE_STATUS_FIELD_NUMBER: _ClassVar[int]
    full_name: str
    date_of_birth: _date_pb2.Date
    sex: Sex
    permanent_address: Address
    life_status: LifeStatus
    def __init__(self, full_name: _Optional[str] = ..., date_of_birth: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., sex: _Optional[_Union[Sex, str]] = ..., permanent_address: _Optional[_Union[Address, _Mapping]] = ..., life_status: _Optional[_Union[LifeStatus, str]] = ...) -> None: ...

class VerifyCitizenRequest(_message.Message):
    __slots__ = ("personal_id", "claims", "purpose")
    PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    personal_id: str
    claims: CitizenClaims
    purpose: str
    def __init__(self, personal_id: _Optional[str] = ..., claims: _Optional[_Union[CitizenClaims, _Mapping]] = ..., purpose: _Optional[str] = ...) -> None: ...

class VerifyCitizenResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: VerificationResult
    def __init__(self, result: _Optional[_Union[VerificationResult, str]] = ...) -> None: ...

class SearchCitizensRequest(_message.Message):
    __slots__ = ("full_name", "date_of_birth", "province_code", "purpose", "page_size", "page_token")
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    full_name: str
    date_of_birth: _date_pb2.Date
    province_code: str
    purpose: str
    page_size: int
    page_token: str
    def __init__(self, full_name: _Optional[str] = ..., date_of_birth: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., province_code: _Optional[str] = ..., purpose: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class SearchCitizensResponse(_message.Message):
    __slots__ = ("citizens", "next_page_token")
    CITIZENS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    citizens: _containers.RepeatedCompositeFieldContainer[CitizenView]
    next_page_token: str
    def __init__(self, citizens: _Optional[_Iterable[_Union[CitizenView, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DisclosurePolicy(_message.Message):
    __slots__ = ("agency_id", "purpose", "fields", "legal_basis", "create_time", "update_time")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    purpose: str
    fields: _containers.RepeatedScalarFieldContainer[str]
    legal_basis: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, agency_id: _Optional[str] = ..., purpose: _Optional[str] = ..., fields: _Optional[_Iterable[str]] = ..., legal_basis: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListGrantedPurposesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListGrantedPurposesResponse(_message.Message):
    __slots__ = ("policies", "next_page_token")
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[DisclosurePolicy]
    next_page_token: str
    def __init__(self, policies: _Optional[_Iterable[_Union[DisclosurePolicy, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SetDisclosurePolicyRequest(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: DisclosurePolicy
    def __init__(self, policy: _Optional[_Union[DisclosurePolicy, _Mapping]] = ...) -> None: ...

class SetDisclosurePolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: DisclosurePolicy
    def __init__(self, policy: _Optional[_Union[DisclosurePolicy, _Mapping]] = ...) -> None: ...

class GetDisclosurePolicyRequest(_message.Message):
    __slots__ = ("agency_id", "purpose")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    purpose: str
    def __init__(self, agency_id: _Optional[str] = ..., purpose: _Optional[str] = ...) -> None: ...

class GetDisclosurePolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: DisclosurePolicy
    def __init__(self, policy: _Optional[_Union[DisclosurePolicy, _Mapping]] = ...) -> None: ...

class ListDisclosurePoliciesRequest(_message.Message):
    __slots__ = ("agency_id", "page_size", "page_token")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    page_size: int
    page_token: str
    def __init__(self, agency_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDisclosurePoliciesResponse(_message.Message):
    __slots__ = ("policies", "next_page_token")
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[DisclosurePolicy]
    next_page_token: str
    def __init__(self, policies: _Optional[_Iterable[_Union[DisclosurePolicy, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteDisclosurePolicyRequest(_message.Message):
    __slots__ = ("agency_id", "purpose")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    purpose: str
    def __init__(self, agency_id: _Optional[str] = ..., purpose: _Optional[str] = ...) -> None: ...

class DeleteDisclosurePolicyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AccessLogEntry(_message.Message):
    __slots__ = ("id", "sequence", "time", "agency_id", "agency_name", "client_id", "action", "purpose", "legal_basis", "fields_disclosed", "personal_id", "entry_hash", "chain_verified")
    ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_NAME_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    FIELDS_DISCLOSED_FIELD_NUMBER: _ClassVar[int]
    PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_HASH_FIELD_NUMBER: _ClassVar[int]
    CHAIN_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    id: str
    sequence: int
    time: _timestamp_pb2.Timestamp
    agency_id: str
    agency_name: str
    client_id: str
    action: AccessAction
    purpose: str
    legal_basis: str
    fields_disclosed: _containers.RepeatedScalarFieldContainer[str]
    personal_id: str
    entry_hash: str
    chain_verified: bool
    def __init__(self, id: _Optional[str] = ..., sequence: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agency_id: _Optional[str] = ..., agency_name: _Optional[str] = ..., client_id: _Optional[str] = ..., action: _Optional[_Union[AccessAction, str]] = ..., purpose: _Optional[str] = ..., legal_basis: _Optional[str] = ..., fields_disclosed: _Optional[_Iterable[str]] = ..., personal_id: _Optional[str] = ..., entry_hash: _Optional[str] = ..., chain_verified: _Optional[bool] = ...) -> None: ...

class ListMyAccessLogRequest(_message.Message):
    __slots__ = ("start_time", "page_size", "page_token")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListMyAccessLogResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[AccessLogEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[AccessLogEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListAccessLogRequest(_message.Message):
    __slots__ = ("personal_id", "start_time", "end_time", "page_size", "page_token")
    PERSONAL_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    personal_id: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, personal_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAccessLogResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[AccessLogEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[AccessLogEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class VerifyAccessLogChainRequest(_message.Message):
    __slots__ = ("from_sequence",)
    FROM_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    from_sequence: int
    def __init__(self, from_sequence: _Optional[int] = ...) -> None: ...

class VerifyAccessLogChainResponse(_message.Message):
    __slots__ = ("intact", "entries_checked", "first_broken_sequence", "detail", "versions_without_write_entry")
    INTACT_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_CHECKED_FIELD_NUMBER: _ClassVar[int]
    FIRST_BROKEN_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_WITHOUT_WRITE_ENTRY_FIELD_NUMBER: _ClassVar[int]
    intact: bool
    entries_checked: int
    first_broken_sequence: int
    detail: str
    versions_without_write_entry: int
    def __init__(self, intact: _Optional[bool] = ..., entries_checked: _Optional[int] = ..., first_broken_sequence: _Optional[int] = ..., detail: _Optional[str] = ..., versions_without_write_entry: _Optional[int] = ...) -> None: ...

class GetMyRecordRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetMyRecordResponse(_message.Message):
    __slots__ = ("citizen",)
    CITIZEN_FIELD_NUMBER: _ClassVar[int]
    citizen: Citizen
    def __init__(self, citizen: _Optional[_Union[Citizen, _Mapping]] = ...) -> None: ...
