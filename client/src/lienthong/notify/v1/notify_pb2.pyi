import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from lienthong.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_EMAIL: _ClassVar[Channel]
    CHANNEL_SMS: _ClassVar[Channel]

class NotificationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NOTIFICATION_STATUS_UNSPECIFIED: _ClassVar[NotificationStatus]
    NOTIFICATION_STATUS_CREATED: _ClassVar[NotificationStatus]
    NOTIFICATION_STATUS_SENDING: _ClassVar[NotificationStatus]
    NOTIFICATION_STATUS_DELIVERED: _ClassVar[NotificationStatus]
    NOTIFICATION_STATUS_TEMPORARY_FAILURE: _ClassVar[NotificationStatus]
    NOTIFICATION_STATUS_PERMANENT_FAILURE: _ClassVar[NotificationStatus]
    NOTIFICATION_STATUS_TECHNICAL_FAILURE: _ClassVar[NotificationStatus]

class SmsEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SMS_ENCODING_UNSPECIFIED: _ClassVar[SmsEncoding]
    SMS_ENCODING_GSM7: _ClassVar[SmsEncoding]
    SMS_ENCODING_UCS2: _ClassVar[SmsEncoding]

class SimulatedOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIMULATED_OUTCOME_UNSPECIFIED: _ClassVar[SimulatedOutcome]
    SIMULATED_OUTCOME_DELIVERED: _ClassVar[SimulatedOutcome]
    SIMULATED_OUTCOME_TEMPORARY_FAILURE: _ClassVar[SimulatedOutcome]
    SIMULATED_OUTCOME_PERMANENT_FAILURE: _ClassVar[SimulatedOutcome]
    SIMULATED_OUTCOME_TECHNICAL_FAILURE: _ClassVar[SimulatedOutcome]

class BatchState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BATCH_STATE_UNSPECIFIED: _ClassVar[BatchState]
    BATCH_STATE_IN_PROGRESS: _ClassVar[BatchState]
    BATCH_STATE_COMPLETED: _ClassVar[BatchState]
CHANNEL_UNSPECIFIED: Channel
CHANNEL_EMAIL: Channel
CHANNEL_SMS: Channel
NOTIFICATION_STATUS_UNSPECIFIED: NotificationStatus
NOTIFICATION_STATUS_CREATED: NotificationStatus
NOTIFICATION_STATUS_SENDING: NotificationStatus
NOTIFICATION_STATUS_DELIVERED: NotificationStatus
NOTIFICATION_STATUS_TEMPORARY_FAILURE: NotificationStatus
NOTIFICATION_STATUS_PERMANENT_FAILURE: NotificationStatus
NOTIFICATION_STATUS_TECHNICAL_FAILURE: NotificationStatus
SMS_ENCODING_UNSPECIFIED: SmsEncoding
SMS_ENCODING_GSM7: SmsEncoding
SMS_ENCODING_UCS2: SmsEncoding
SIMULATED_OUTCOME_UNSPECIFIED: SimulatedOutcome
SIMULATED_OUTCOME_DELIVERED: SimulatedOutcome
SIMULATED_OUTCOME_TEMPORARY_FAILURE: SimulatedOutcome
SIMULATED_OUTCOME_PERMANENT_FAILURE: SimulatedOutcome
SIMULATED_OUTCOME_TECHNICAL_FAILURE: SimulatedOutcome
BATCH_STATE_UNSPECIFIED: BatchState
BATCH_STATE_IN_PROGRESS: BatchState
BATCH_STATE_COMPLETED: BatchState

class Template(_message.Message):
    __slots__ = ("id", "channel", "name", "subject", "body", "version", "placeholders", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PLACEHOLDERS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    channel: Channel
    name: str
    subject: str
    body: str
    version: int
    placeholders: _containers.RepeatedScalarFieldContainer[str]
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., channel: _Optional[_Union[Channel, str]] = ..., name: _Optional[str] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., version: _Optional[int] = ..., placeholders: _Optional[_Iterable[str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateTemplateRequest(_message.Message):
    __slots__ = ("channel", "name", "subject", "body")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    channel: Channel
    name: str
    subject: str
    body: str
    def __init__(self, channel: _Optional[_Union[Channel, str]] = ..., name: _Optional[str] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ...) -> None: ...

class CreateTemplateResponse(_message.Message):
    __slots__ = ("template",)
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    template: Template
    def __init__(self, template: _Optional[_Union[Template, _Mapping]] = ...) -> None: ...

class UpdateTemplateRequest(_message.Message):
    __slots__ = ("template_id", "expected_version", "name", "subject", "body")
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    expected_version: int
    name: str
    subject: str
    body: str
    def __init__(self, template_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., name: _Optional[str] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ...) -> None: ...

class UpdateTemplateResponse(_message.Message):
    __slots__ = ("template",)
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    template: Template
    def __init__(self, template: _Optional[_Union[Template, _Mapping]] = ...) -> None: ...

class GetTemplateRequest(_message.Message):
    __slots__ = ("template_id", "version")
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    version: int
    def __init__(self, template_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetTemplateResponse(_message.Message):
    __slots__ = ("template",)
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    template: Template
    def __init__(self, template: _Optional[_Union[Template, _Mapping]] = ...) -> None: ...

class ListTemplatesRequest(_message.Message):
    __slots__ = ("channel", "page_size", "page_token")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    channel: Channel
    page_size: int
    page_token: str
    def __init__(self, channel: _Optional[_Union[Channel, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTemplatesResponse(_message.Message):
    __slots__ = ("templates", "next_page_token")
    TEMPLATES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    templates: _containers.RepeatedCompositeFieldContainer[Template]
    next_page_token: str
    def __init__(self, templates: _Optional[_Iterable[_Union[Template, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SmsSegments(_message.Message):
    __slots__ = ("encoding", "character_count", "segment_count")
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_COUNT_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    encoding: SmsEncoding
    character_count: int
    segment_count: int
    def __init__(self, encoding: _Optional[_Union[SmsEncoding, str]] = ..., character_count: _Optional[int] = ..., segment_count: _Optional[int] = ...) -> None: ...

class PreviewTemplateRequest(_message.Message):
    __slots__ = ("template_id", "version", "personalisation")
    class PersonalisationEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PERSONALISATION_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    version: int
    personalisation: _containers.ScalarMap[str, str]
    def __init__(self, template_id: _Optional[str] = ..., version: _Optional[int] = ..., personalisation: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PreviewTemplateResponse(_message.Message):
    __slots__ = ("subject", "body", "sms")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    SMS_FIELD_NUMBER: _ClassVar[int]
    subject: str
    body: str
    sms: SmsSegments
    def __init__(self, subject: _Optional[str] = ..., body: _Optional[str] = ..., sms: _Optional[_Union[SmsSegments, _Mapping]] = ...) -> None: ...

class Notification(_message.Message):
    __slots__ = ("id", "channel", "template_id", "template_version", "recipient", "reference", "status", "subject", "body", "sms", "batch_id", "test", "attempt_count", "failure_reason", "create_time", "send_time", "complete_time", "agency_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_VERSION_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    SMS_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SEND_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    channel: Channel
    template_id: str
    template_version: int
    recipient: str
    reference: str
    status: NotificationStatus
    subject: str
    body: str
    sms: SmsSegments
    batch_id: str
    test: bool
    attempt_count: int
    failure_reason: str
    create_time: _timestamp_pb2.Timestamp
    send_time: _timestamp_pb2.Timestamp
    complete_time: _timestamp_pb2.Timestamp
    agency_id: str
    def __init__(self, id: _Optional[str] = ..., channel: _Optional[_Union[Channel, str]] = ..., template_id: _Optional[str] = ..., template_version: _Optional[int] = ..., recipient: _Optional[str] = ..., reference: _Optional[str] = ..., status: _Optional[_Union[NotificationStatus, str]] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., sms: _Optional[_Union[SmsSegments, _Mapping]] = ..., batch_id: _Optional[str] = ..., test: _Optional[bool] = ..., attempt_count: _Optional[int] = ..., failure_reason: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., send_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agency_id: _Optional[str] = ...) -> None: ...

class SendEmailRequest(_message.Message):
    __slots__ = ("template_id", "email_address", "personalisation", "reference", "idempotency_key", "simulated_outcome")
    class PersonalisationEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PERSONALISATION_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SIMULATED_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    email_address: str
    personalisation: _containers.ScalarMap[str, str]
    reference: str
    idempotency_key: str
    simulated_outcome: SimulatedOutcome
    def __init__(self, template_id: _Optional[str] = ..., email_address: _Optional[str] = ..., personalisation: _Optional[_Mapping[str, str]] = ..., reference: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., simulated_outcome: _Optional[_Union[SimulatedOutcome, str]] = ...) -> None: ...

class SendEmailResponse(_message.Message):
    __slots__ = ("notification",)
    NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    notification: Notification
    def __init__(self, notification: _Optional[_Union[Notification, _Mapping]] = ...) -> None: ...

class SendSmsRequest(_message.Message):
    __slots__ = ("template_id", "phone_number", "personalisation", "reference", "idempotency_key", "simulated_outcome")
    class PersonalisationEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PERSONALISATION_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SIMULATED_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    phone_number: str
    personalisation: _containers.ScalarMap[str, str]
    reference: str
    idempotency_key: str
    simulated_outcome: SimulatedOutcome
    def __init__(self, template_id: _Optional[str] = ..., phone_number: _Optional[str] = ..., personalisation: _Optional[_Mapping[str, str]] = ..., reference: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., simulated_outcome: _Optional[_Union[SimulatedOutcome, str]] = ...) -> None: ...

class SendSmsResponse(_message.Message):
    __slots__ = ("notification",)
    NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    notification: Notification
    def __init__(self, notification: _Optional[_Union[Notification, _Mapping]] = ...) -> None: ...

class GetNotificationRequest(_message.Message):
    __slots__ = ("notification_id",)
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    def __init__(self, notification_id: _Optional[str] = ...) -> None: ...

class GetNotificationResponse(_message.Message):
    __slots__ = ("notification",)
    NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    notification: Notification
    def __init__(self, notification: _Optional[_Union[Notification, _Mapping]] = ...) -> None: ...

class ListNotificationsRequest(_message.Message):
    __slots__ = ("statuses", "channel", "reference", "batch_id", "page_size", "page_token")
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    statuses: _containers.RepeatedScalarFieldContainer[NotificationStatus]
    channel: Channel
    reference: str
    batch_id: str
    page_size: int
    page_token: str
    def __init__(self, statuses: _Optional[_Iterable[_Union[NotificationStatus, str]]] = ..., channel: _Optional[_Union[Channel, str]] = ..., reference: _Optional[str] = ..., batch_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListNotificationsResponse(_message.Message):
    __slots__ = ("notifications", "next_page_token")
    NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    notifications: _containers.RepeatedCompositeFieldContainer[Notification]
    next_page_token: str
    def __init__(self, notifications: _Optional[_Iterable[_Union[Notification, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class BatchRecipient(_message.Message):
    __slots__ = ("recipient", "personalisation", "reference", "simulated_outcome")
    class PersonalisationEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    PERSONALISATION_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    SIMULATED_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    recipient: str
    personalisation: _containers.ScalarMap[str, str]
    reference: str
    simulated_outcome: SimulatedOutcome
    def __init__(self, recipient: _Optional[str] = ..., personalisation: _Optional[_Mapping[str, str]] = ..., reference: _Optional[str] = ..., simulated_outcome: _Optional[_Union[SimulatedOutcome, str]] = ...) -> None: ...

class RecipientViolation(_message.Message):
    __slots__ = ("field", "description")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str
    def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class BatchRecipientResult(_message.Message):
    __slots__ = ("index", "notification_id", "violations")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    index: int
    notification_id: str
    violations: _containers.RepeatedCompositeFieldContainer[RecipientViolation]
    def __init__(self, index: _Optional[int] = ..., notification_id: _Optional[str] = ..., violations: _Optional[_Iterable[_Union[RecipientViolation, _Mapping]]] = ...) -> None: ...

class StatusCount(_message.Message):
    __slots__ = ("status", "count")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    status: NotificationStatus
    count: int
    def __init__(self, status: _Optional[_Union[NotificationStatus, str]] = ..., count: _Optional[int] = ...) -> None: ...

class Batch(_message.Message):
    __slots__ = ("id", "template_id", "template_version", "channel", "reference", "state", "recipient_count", "accepted_count", "rejected_count", "status_counts", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_COUNTS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    template_id: str
    template_version: int
    channel: Channel
    reference: str
    state: BatchState
    recipient_count: int
    accepted_count: int
    rejected_count: int
    status_counts: _containers.RepeatedCompositeFieldContainer[StatusCount]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., template_id: _Optional[str] = ..., template_version: _Optional[int] = ..., channel: _Optional[_Union[Channel, str]] = ..., reference: _Optional[str] = ..., state: _Optional[_Union[BatchState, str]] = ..., recipient_count: _Optional[int] = ..., accepted_count: _Optional[int] = ..., rejected_count: _Optional[int] = ..., status_counts: _Optional[_Iterable[_Union[StatusCount, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SendBatchRequest(_message.Message):
    __slots__ = ("template_id", "recipients", "reference", "idempotency_key", "reject_all_on_error")
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    REJECT_ALL_ON_ERROR_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    recipients: _containers.RepeatedCompositeFieldContainer[BatchRecipient]
    reference: str
    idempotency_key: str
    reject_all_on_error: bool
    def __init__(self, template_id: _Optional[str] = ..., recipients: _Optional[_Iterable[_Union[BatchRecipient, _Mapping]]] = ..., reference: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., reject_all_on_error: _Optional[bool] = ...) -> None: ...

class SendBatchResponse(_message.Message):
    __slots__ = ("batch", "results")
    BATCH_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    batch: Batch
    results: _containers.RepeatedCompositeFieldContainer[BatchRecipientResult]
    def __init__(self, batch: _Optional[_Union[Batch, _Mapping]] = ..., results: _Optional[_Iterable[_Union[BatchRecipientResult, _Mapping]]] = ...) -> None: ...

class GetBatchRequest(_message.Message):
    __slots__ = ("batch_id",)
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    def __init__(self, batch_id: _Optional[str] = ...) -> None: ...

class GetBatchResponse(_message.Message):
    __slots__ = ("batch",)
    BATCH_FIELD_NUMBER: _ClassVar[int]
    batch: Batch
    def __init__(self, batch: _Optional[_Union[Batch, _Mapping]] = ...) -> None: ...

class Callback(_message.Message):
    __slots__ = ("url", "statuses", "secret_create_time", "create_time", "update_time")
    URL_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    SECRET_CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    url: str
    statuses: _containers.RepeatedScalarFieldContainer[NotificationStatus]
    secret_create_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, url: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[NotificationStatus, str]]] = ..., secret_create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetCallbackRequest(_message.Message):
    __slots__ = ("url", "statuses", "rotate_secret")
    URL_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    ROTATE_SECRET_FIELD_NUMBER: _ClassVar[int]
    url: str
    statuses: _containers.RepeatedScalarFieldContainer[NotificationStatus]
    rotate_secret: bool
    def __init__(self, url: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[NotificationStatus, str]]] = ..., rotate_secret: _Optional[bool] = ...) -> None: ...

class SetCallbackResponse(_message.Message):
    __slots__ = ("callback", "signing_secret")
    CALLBACK_FIELD_NUMBER: _ClassVar[int]
    SIGNING_SECRET_FIELD_NUMBER: _ClassVar[int]
    callback: Callback
    signing_secret: str
    def __init__(self, callback: _Optional[_Union[Callback, _Mapping]] = ..., signing_secret: _Optional[str] = ...) -> None: ...

class GetCallbackRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetCallbackResponse(_message.Message):
    __slots__ = ("callback",)
    CALLBACK_FIELD_NUMBER: _ClassVar[int]
    callback: Callback
    def __init__(self, callback: _Optional[_Union[Callback, _Mapping]] = ...) -> None: ...

class DeleteCallbackRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteCallbackResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListMyNotificationsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListMyNotificationsResponse(_message.Message):
    __slots__ = ("notifications", "next_page_token")
    NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    notifications: _containers.RepeatedCompositeFieldContainer[Notification]
    next_page_token: str
    def __init__(self, notifications: _Optional[_Iterable[_Union[Notification, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
