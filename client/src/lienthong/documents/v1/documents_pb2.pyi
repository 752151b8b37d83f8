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

class Urgency(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    URGENCY_UNSPECIFIED: _ClassVar[Urgency]
    URGENCY_NORMAL: _ClassVar[Urgency]
    URGENCY_URGENT: _ClassVar[Urgency]
    URGENCY_TOP_URGENT: _ClassVar[Urgency]
    URGENCY_EXPRESS: _ClassVar[Urgency]

class Confidentiality(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONFIDENTIALITY_UNSPECIFIED: _ClassVar[Confidentiality]
    CONFIDENTIALITY_NORMAL: _ClassVar[Confidentiality]
    CONFIDENTIALITY_CONFIDENTIAL: _ClassVar[Confidentiality]
    CONFIDENTIALITY_SECRET: _ClassVar[Confidentiality]
    CONFIDENTIALITY_TOP_SECRET: _ClassVar[Confidentiality]

class ProcessingStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROCESSING_STATUS_UNSPECIFIED: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_DELIVERED: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_ARRIVED: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_REFUSED: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_RECEIVED: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_ASSIGNED: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_PROCESSING: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_RETURNED: _ClassVar[ProcessingStatus]
    PROCESSING_STATUS_COMPLETED: _ClassVar[ProcessingStatus]

class Relation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELATION_UNSPECIFIED: _ClassVar[Relation]
    RELATION_REPLY: _ClassVar[Relation]
    RELATION_UPDATE: _ClassVar[Relation]
    RELATION_REPLACE: _ClassVar[Relation]

class RecallState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECALL_STATE_UNSPECIFIED: _ClassVar[RecallState]
    RECALL_STATE_NONE: _ClassVar[RecallState]
    RECALL_STATE_REQUESTED: _ClassVar[RecallState]
    RECALL_STATE_ACKNOWLEDGED: _ClassVar[RecallState]

class SignatureState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIGNATURE_STATE_UNSPECIFIED: _ClassVar[SignatureState]
    SIGNATURE_STATE_NOT_APPLICABLE: _ClassVar[SignatureState]
    SIGNATURE_STATE_UNSIGNED: _ClassVar[SignatureState]
    SIGNATURE_STATE_VALID: _ClassVar[SignatureState]
    SIGNATURE_STATE_INVALID: _ClassVar[SignatureState]

class InboxEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INBOX_EVENT_KIND_UNSPECIFIED: _ClassVar[InboxEventKind]
    INBOX_EVENT_KIND_ARRIVED: _ClassVar[InboxEventKind]
    INBOX_EVENT_KIND_RECALLED: _ClassVar[InboxEventKind]
URGENCY_UNSPECIFIED: Urgency
URGENCY_NORMAL: Urgency
URGENCY_URGENT: Urgency
URGENCY_TOP_URGENT: Urgency
URGENCY_EXPRESS: Urgency
CONFIDENTIALITY_UNSPECIFIED: Confidentiality
CONFIDENTIALITY_NORMAL: Confidentiality
CONFIDENTIALITY_CONFIDENTIAL: Confidentiality
CONFIDENTIALITY_SECRET: Confidentiality
CONFIDENTIALITY_TOP_SECRET: Confidentiality
PROCESSING_STATUS_UNSPECIFIED: ProcessingStatus
PROCESSING_STATUS_DELIVERED: ProcessingStatus
PROCESSING_STATUS_ARRIVED: ProcessingStatus
PROCESSING_STATUS_REFUSED: ProcessingStatus
PROCESSING_STATUS_RECEIVED: ProcessingStatus
PROCESSING_STATUS_ASSIGNED: ProcessingStatus
PROCESSING_STATUS_PROCESSING: ProcessingStatus
PROCESSING_STATUS_RETURNED: ProcessingStatus
PROCESSING_STATUS_COMPLETED: ProcessingStatus
RELATION_UNSPECIFIED: Relation
RELATION_REPLY: Relation
RELATION_UPDATE: Relation
RELATION_REPLACE: Relation
RECALL_STATE_UNSPECIFIED: RecallState
RECALL_STATE_NONE: RecallState
RECALL_STATE_REQUESTED: RecallState
RECALL_STATE_ACKNOWLEDGED: RecallState
SIGNATURE_STATE_UNSPECIFIED: SignatureState
SIGNATURE_STATE_NOT_APPLICABLE: SignatureState
SIGNATURE_STATE_UNSIGNED: SignatureState
SIGNATURE_STATE_VALID: SignatureState
SIGNATURE_STATE_INVALID: SignatureState
INBOX_EVENT_KIND_UNSPECIFIED: InboxEventKind
INBOX_EVENT_KIND_ARRIVED: InboxEventKind
INBOX_EVENT_KIND_RECALLED: InboxEventKind

class DirectoryAgency(_message.Message):
    __slots__ = ("code", "agency_id", "display_name", "province_code", "refuse_unsigned", "refuse_invalid_signature", "notification_email", "create_time")
    CODE_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    REFUSE_UNSIGNED_FIELD_NUMBER: _ClassVar[int]
    REFUSE_INVALID_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_EMAIL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    code: str
    agency_id: str
    display_name: str
    province_code: str
    refuse_unsigned: bool
    refuse_invalid_signature: bool
    notification_email: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, code: _Optional[str] = ..., agency_id: _Optional[str] = ..., display_name: _Optional[str] = ..., province_code: _Optional[str] = ..., refuse_unsigned: _Optional[bool] = ..., refuse_invalid_signature: _Optional[bool] = ..., notification_email: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DocumentMetadata(_message.Message):
    __slots__ = ("number_symbol", "document_type", "issue_place", "issue_date", "summary", "signer_name", "signer_title", "urgency", "confidentiality")
    NUMBER_SYMBOL_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    ISSUE_PLACE_FIELD_NUMBER: _ClassVar[int]
    ISSUE_DATE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    SIGNER_NAME_FIELD_NUMBER: _ClassVar[int]
    SIGNER_TITLE_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    CONFIDENTIALITY_FIELD_NUMBER: _ClassVar[int]
    number_symbol: str
    document_type: str
    issue_place: str
    issue_date: _date_pb2.Date
    summary: str
    signer_name: str
    signer_title: str
    urgency: Urgency
    confidentiality: Confidentiality
    def __init__(self, number_symbol: _Optional[str] = ..., document_type: _Optional[str] = ..., issue_place: _Optional[str] = ..., issue_date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., summary: _Optional[str] = ..., signer_name: _Optional[str] = ..., signer_title: _Optional[str] = ..., urgency: _Optional[_Union[Urgency, str]] = ..., confidentiality: _Optional[_Union[Confidentiality, str]] = ...) -> None: ...

class SignatureCheck(_message.Message):
    __slots__ = ("state", "signer", "certificate_subject", "certificate_issuer", "certificate_serial", "certificate_sha256", "signing_time", "problem", "signature_count")
    STATE_FIELD_NUMBER: _ClassVar[int]
    SIGNER_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_ISSUER_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_SERIAL_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_SHA256_FIELD_NUMBER: _ClassVar[int]
    SIGNING_TIME_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_COUNT_FIELD_NUMBER: _ClassVar[int]
    state: SignatureState
    signer: str
    certificate_subject: str
    certificate_issuer: str
    certificate_serial: str
    certificate_sha256: str
    signing_time: _timestamp_pb2.Timestamp
    problem: str
    signature_count: int
    def __init__(self, state: _Optional[_Union[SignatureState, str]] = ..., signer: _Optional[str] = ..., certificate_subject: _Optional[str] = ..., certificate_issuer: _Optional[str] = ..., certificate_serial: _Optional[str] = ..., certificate_sha256: _Optional[str] = ..., signing_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., problem: _Optional[str] = ..., signature_count: _Optional[int] = ...) -> None: ...

class Attachment(_message.Message):
    __slots__ = ("attachment_id", "file_name", "content_type", "size_bytes", "sha256", "signature")
    ATTACHMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    attachment_id: str
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    signature: SignatureCheck
    def __init__(self, attachment_id: _Optional[str] = ..., file_name: _Optional[str] = ..., content_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., signature: _Optional[_Union[SignatureCheck, _Mapping]] = ...) -> None: ...

class RecipientState(_message.Message):
    __slots__ = ("code", "display_name", "status", "status_time", "recall_state")
    CODE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_TIME_FIELD_NUMBER: _ClassVar[int]
    RECALL_STATE_FIELD_NUMBER: _ClassVar[int]
    code: str
    display_name: str
    status: ProcessingStatus
    status_time: _timestamp_pb2.Timestamp
    recall_state: RecallState
    def __init__(self, code: _Optional[str] = ..., display_name: _Optional[str] = ..., status: _Optional[_Union[ProcessingStatus, str]] = ..., status_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recall_state: _Optional[_Union[RecallState, str]] = ...) -> None: ...

class TraceHop(_message.Message):
    __slots__ = ("code", "time")
    CODE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    code: str
    time: _timestamp_pb2.Timestamp
    def __init__(self, code: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Document(_message.Message):
    __slots__ = ("document_id", "sender_code", "sender_name", "metadata", "attachments", "recipients", "send_time", "related_document_id", "relation", "recall_time", "recall_reason", "replaced_by_document_id", "trace")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SENDER_CODE_FIELD_NUMBER: _ClassVar[int]
    SENDER_NAME_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    SEND_TIME_FIELD_NUMBER: _ClassVar[int]
    RELATED_DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RELATION_FIELD_NUMBER: _ClassVar[int]
    RECALL_TIME_FIELD_NUMBER: _ClassVar[int]
    RECALL_REASON_FIELD_NUMBER: _ClassVar[int]
    REPLACED_BY_DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    sender_code: str
    sender_name: str
    metadata: DocumentMetadata
    attachments: _containers.RepeatedCompositeFieldContainer[Attachment]
    recipients: _containers.RepeatedCompositeFieldContainer[RecipientState]
    send_time: _timestamp_pb2.Timestamp
    related_document_id: str
    relation: Relation
    recall_time: _timestamp_pb2.Timestamp
    recall_reason: str
    replaced_by_document_id: str
    trace: _containers.RepeatedCompositeFieldContainer[TraceHop]
    def __init__(self, document_id: _Optional[str] = ..., sender_code: _Optional[str] = ..., sender_name: _Optional[str] = ..., metadata: _Optional[_Union[DocumentMetadata, _Mapping]] = ..., attachments: _Optional[_Iterable[_Union[Attachment, _Mapping]]] = ..., recipients: _Optional[_Iterable[_Union[RecipientState, _Mapping]]] = ..., send_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., related_document_id: _Optional[str] = ..., relation: _Optional[_Union[Relation, str]] = ..., recall_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recall_reason: _Optional[str] = ..., replaced_by_document_id: _Optional[str] = ..., trace: _Optional[_Iterable[_Union[TraceHop, _Mapping]]] = ...) -> None: ...

class RegisterAgencyRequest(_message.Message):
    __slots__ = ("agency_id", "code", "display_name", "province_code", "notification_email")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_EMAIL_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    code: str
    display_name: str
    province_code: str
    notification_email: str
    def __init__(self, agency_id: _Optional[str] = ..., code: _Optional[str] = ..., display_name: _Optional[str] = ..., province_code: _Optional[str] = ..., notification_email: _Optional[str] = ...) -> None: ...

class RegisterAgencyResponse(_message.Message):
    __slots__ = ("agency",)
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    agency: DirectoryAgency
    def __init__(self, agency: _Optional[_Union[DirectoryAgency, _Mapping]] = ...) -> None: ...

class GetDirectoryAgencyRequest(_message.Message):
    __slots__ = ("code",)
    CODE_FIELD_NUMBER: _ClassVar[int]
    code: str
    def __init__(self, code: _Optional[str] = ...) -> None: ...

class GetDirectoryAgencyResponse(_message.Message):
    __slots__ = ("agency",)
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    agency: DirectoryAgency
    def __init__(self, agency: _Optional[_Union[DirectoryAgency, _Mapping]] = ...) -> None: ...

class SearchDirectoryAgenciesRequest(_message.Message):
    __slots__ = ("query", "code_prefix", "province_code", "page_size", "page_token")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    CODE_PREFIX_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    query: str
    code_prefix: str
    province_code: str
    page_size: int
    page_token: str
    def __init__(self, query: _Optional[str] = ..., code_prefix: _Optional[str] = ..., province_code: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class SearchDirectoryAgenciesResponse(_message.Message):
    __slots__ = ("agencies", "next_page_token")
    AGENCIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    agencies: _containers.RepeatedCompositeFieldContainer[DirectoryAgency]
    next_page_token: str
    def __init__(self, agencies: _Optional[_Iterable[_Union[DirectoryAgency, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SetReceivePolicyRequest(_message.Message):
    __slots__ = ("refuse_unsigned", "refuse_invalid_signature", "notification_email")
    REFUSE_UNSIGNED_FIELD_NUMBER: _ClassVar[int]
    REFUSE_INVALID_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_EMAIL_FIELD_NUMBER: _ClassVar[int]
    refuse_unsigned: bool
    refuse_invalid_signature: bool
    notification_email: str
    def __init__(self, refuse_unsigned: _Optional[bool] = ..., refuse_invalid_signature: _Optional[bool] = ..., notification_email: _Optional[str] = ...) -> None: ...

class SetReceivePolicyResponse(_message.Message):
    __slots__ = ("agency",)
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    agency: DirectoryAgency
    def __init__(self, agency: _Optional[_Union[DirectoryAgency, _Mapping]] = ...) -> None: ...

class AttachmentHeader(_message.Message):
    __slots__ = ("file_name", "content_type")
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    file_name: str
    content_type: str
    def __init__(self, file_name: _Optional[str] = ..., content_type: _Optional[str] = ...) -> None: ...

class UploadAttachmentRequest(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: AttachmentHeader
    chunk: bytes
    def __init__(self, header: _Optional[_Union[AttachmentHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class UploadAttachmentResponse(_message.Message):
    __slots__ = ("attachment",)
    ATTACHMENT_FIELD_NUMBER: _ClassVar[int]
    attachment: Attachment
    def __init__(self, attachment: _Optional[_Union[Attachment, _Mapping]] = ...) -> None: ...

class SendDocumentRequest(_message.Message):
    __slots__ = ("idempotency_key", "metadata", "recipient_codes", "attachment_ids", "related_document_id", "relation")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_CODES_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    RELATED_DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RELATION_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    metadata: DocumentMetadata
    recipient_codes: _containers.RepeatedScalarFieldContainer[str]
    attachment_ids: _containers.RepeatedScalarFieldContainer[str]
    related_document_id: str
    relation: Relation
    def __init__(self, idempotency_key: _Optional[str] = ..., metadata: _Optional[_Union[DocumentMetadata, _Mapping]] = ..., recipient_codes: _Optional[_Iterable[str]] = ..., attachment_ids: _Optional[_Iterable[str]] = ..., related_document_id: _Optional[str] = ..., relation: _Optional[_Union[Relation, str]] = ...) -> None: ...

class SendDocumentResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: Document
    def __init__(self, document: _Optional[_Union[Document, _Mapping]] = ...) -> None: ...

class RecallDocumentRequest(_message.Message):
    __slots__ = ("document_id", "reason")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    reason: str
    def __init__(self, document_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RecallDocumentResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: Document
    def __init__(self, document: _Optional[_Union[Document, _Mapping]] = ...) -> None: ...

class GetDocumentRequest(_message.Message):
    __slots__ = ("document_id",)
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    def __init__(self, document_id: _Optional[str] = ...) -> None: ...

class GetDocumentResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: Document
    def __init__(self, document: _Optional[_Union[Document, _Mapping]] = ...) -> None: ...

class ListInboxRequest(_message.Message):
    __slots__ = ("status", "sender_code", "urgency", "start_time", "end_time", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SENDER_CODE_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: ProcessingStatus
    sender_code: str
    urgency: Urgency
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Union[ProcessingStatus, str]] = ..., sender_code: _Optional[str] = ..., urgency: _Optional[_Union[Urgency, str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListInboxResponse(_message.Message):
    __slots__ = ("documents", "next_page_token")
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    documents: _containers.RepeatedCompositeFieldContainer[Document]
    next_page_token: str
    def __init__(self, documents: _Optional[_Iterable[_Union[Document, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListSentRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSentResponse(_message.Message):
    __slots__ = ("documents", "next_page_token")
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    documents: _containers.RepeatedCompositeFieldContainer[Document]
    next_page_token: str
    def __init__(self, documents: _Optional[_Iterable[_Union[Document, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DownloadAttachmentRequest(_message.Message):
    __slots__ = ("document_id", "attachment_id")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENT_ID_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    attachment_id: str
    def __init__(self, document_id: _Optional[str] = ..., attachment_id: _Optional[str] = ...) -> None: ...

class DownloadAttachmentResponse(_message.Message):
    __slots__ = ("chunk",)
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    chunk: bytes
    def __init__(self, chunk: _Optional[bytes] = ...) -> None: ...

class SubscribeInboxRequest(_message.Message):
    __slots__ = ("after_cursor",)
    AFTER_CURSOR_FIELD_NUMBER: _ClassVar[int]
    after_cursor: int
    def __init__(self, after_cursor: _Optional[int] = ...) -> None: ...

class SubscribeInboxResponse(_message.Message):
    __slots__ = ("cursor", "kind", "document")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    cursor: int
    kind: InboxEventKind
    document: Document
    def __init__(self, cursor: _Optional[int] = ..., kind: _Optional[_Union[InboxEventKind, str]] = ..., document: _Optional[_Union[Document, _Mapping]] = ...) -> None: ...

class AcknowledgeReceiptRequest(_message.Message):
    __slots__ = ("document_id",)
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    def __init__(self, document_id: _Optional[str] = ...) -> None: ...

class AcknowledgeReceiptResponse(_message.Message):
    __slots__ = ("recipient",)
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    recipient: RecipientState
    def __init__(self, recipient: _Optional[_Union[RecipientState, _Mapping]] = ...) -> None: ...

class ReportStatusRequest(_message.Message):
    __slots__ = ("document_id", "status", "reason")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    status: ProcessingStatus
    reason: str
    def __init__(self, document_id: _Optional[str] = ..., status: _Optional[_Union[ProcessingStatus, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class ReportStatusResponse(_message.Message):
    __slots__ = ("recipient", "changed")
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    recipient: RecipientState
    changed: bool
    def __init__(self, recipient: _Optional[_Union[RecipientState, _Mapping]] = ..., changed: _Optional[bool] = ...) -> None: ...

class AcknowledgeRecallRequest(_message.Message):
    __slots__ = ("document_id",)
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    def __init__(self, document_id: _Optional[str] = ...) -> None: ...

class AcknowledgeRecallResponse(_message.Message):
    __slots__ = ("recipient",)
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    recipient: RecipientState
    def __init__(self, recipient: _Optional[_Union[RecipientState, _Mapping]] = ...) -> None: ...

class GetDocumentStatusRequest(_message.Message):
    __slots__ = ("document_id",)
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    def __init__(self, document_id: _Optional[str] = ...) -> None: ...

class StatusChange(_message.Message):
    __slots__ = ("status", "change_time", "reason", "recall_state")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RECALL_STATE_FIELD_NUMBER: _ClassVar[int]
    status: ProcessingStatus
    change_time: _timestamp_pb2.Timestamp
    reason: str
    recall_state: RecallState
    def __init__(self, status: _Optional[_Union[ProcessingStatus, str]] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., recall_state: _Optional[_Union[RecallState, str]] = ...) -> None: ...

class RecipientHistory(_message.Message):
    __slots__ = ("recipient", "history")
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    recipient: RecipientState
    history: _containers.RepeatedCompositeFieldContainer[StatusChange]
    def __init__(self, recipient: _Optional[_Union[RecipientState, _Mapping]] = ..., history: _Optional[_Iterable[_Union[StatusChange, _Mapping]]] = ...) -> None: ...

class GetDocumentStatusResponse(_message.Message):
    __slots__ = ("recipients",)
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    recipients: _containers.RepeatedCompositeFieldContainer[RecipientHistory]
    def __init__(self, recipients: _Optional[_Iterable[_Union[RecipientHistory, _Mapping]]] = ...) -> None: ...

class ListDocumentAccessRequest(_message.Message):
    __slots__ = ("document_id", "page_size", "page_token")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    page_size: int
    page_token: str
    def __init__(self, document_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class DocumentAccess(_message.Message):
    __slots__ = ("agency_code", "action", "access_time", "client_id")
    AGENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACCESS_TIME_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    agency_code: str
    action: str
    access_time: _timestamp_pb2.Timestamp
    client_id: str
    def __init__(self, agency_code: _Optional[str] = ..., action: _Optional[str] = ..., access_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., client_id: _Optional[str] = ...) -> None: ...

class ListDocumentAccessResponse(_message.Message):
    __slots__ = ("accesses", "next_page_token")
    ACCESSES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    accesses: _containers.RepeatedCompositeFieldContainer[DocumentAccess]
    next_page_token: str
    def __init__(self, accesses: _Optional[_Iterable[_Union[DocumentAccess, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ExportEdxmlRequest(_message.Message):
    __slots__ = ("document_id",)
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    def __init__(self, document_id: _Optional[str] = ...) -> None: ...

class ExportEdxmlResponse(_message.Message):
    __slots__ = ("chunk",)
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    chunk: bytes
    def __init__(self, chunk: _Optional[bytes] = ...) -> None: ...

class ImportEdxmlRequest(_message.Message):
    __slots__ = ("idempotency_key", "chunk")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    chunk: bytes
    def __init__(self, idempotency_key: _Optional[str] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class ImportEdxmlResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: Document
    def __init__(self, document: _Optional[_Union[Document, _Mapping]] = ...) -> None: ...
