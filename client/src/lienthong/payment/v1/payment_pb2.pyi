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

class PaymentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATE_UNSPECIFIED: _ClassVar[PaymentState]
    PAYMENT_STATE_CREATED: _ClassVar[PaymentState]
    PAYMENT_STATE_STARTED: _ClassVar[PaymentState]
    PAYMENT_STATE_SUBMITTED: _ClassVar[PaymentState]
    PAYMENT_STATE_SUCCESS: _ClassVar[PaymentState]
    PAYMENT_STATE_FAILED: _ClassVar[PaymentState]
    PAYMENT_STATE_CANCELLED: _ClassVar[PaymentState]
    PAYMENT_STATE_EXPIRED: _ClassVar[PaymentState]

class PaymentProvider(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_PROVIDER_UNSPECIFIED: _ClassVar[PaymentProvider]
    PAYMENT_PROVIDER_SANDBOX: _ClassVar[PaymentProvider]
    PAYMENT_PROVIDER_VNPAY: _ClassVar[PaymentProvider]

class SandboxScenario(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SANDBOX_SCENARIO_UNSPECIFIED: _ClassVar[SandboxScenario]
    SANDBOX_SCENARIO_SUCCESS: _ClassVar[SandboxScenario]
    SANDBOX_SCENARIO_DECLINED: _ClassVar[SandboxScenario]
    SANDBOX_SCENARIO_ABANDONED: _ClassVar[SandboxScenario]
    SANDBOX_SCENARIO_DUPLICATE_NOTIFICATION: _ClassVar[SandboxScenario]

class RefundState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_STATE_UNSPECIFIED: _ClassVar[RefundState]
    REFUND_STATE_SUBMITTED: _ClassVar[RefundState]
    REFUND_STATE_SUCCESS: _ClassVar[RefundState]
    REFUND_STATE_ERROR: _ClassVar[RefundState]
PAYMENT_STATE_UNSPECIFIED: PaymentState
PAYMENT_STATE_CREATED: PaymentState
PAYMENT_STATE_STARTED: PaymentState
PAYMENT_STATE_SUBMITTED: PaymentState
PAYMENT_STATE_SUCCESS: PaymentState
PAYMENT_STATE_FAILED: PaymentState
PAYMENT_STATE_CANCELLED: PaymentState
PAYMENT_STATE_EXPIRED: PaymentState
PAYMENT_PROVIDER_UNSPECIFIED: PaymentProvider
PAYMENT_PROVIDER_SANDBOX: PaymentProvider
PAYMENT_PROVIDER_VNPAY: PaymentProvider
SANDBOX_SCENARIO_UNSPECIFIED: SandboxScenario
SANDBOX_SCENARIO_SUCCESS: SandboxScenario
SANDBOX_SCENARIO_DECLINED: SandboxScenario
SANDBOX_SCENARIO_ABANDONED: SandboxScenario
SANDBOX_SCENARIO_DUPLICATE_NOTIFICATION: SandboxScenario
REFUND_STATE_UNSPECIFIED: RefundState
REFUND_STATE_SUBMITTED: RefundState
REFUND_STATE_SUCCESS: RefundState
REFUND_STATE_ERROR: RefundState

class Payment(_message.Message):
    __slots__ = ("id", "reference", "description", "amount_vnd", "state", "provider", "return_url", "payer_email", "provider_reference", "refunded_amount_vnd", "refund_amount_available_vnd", "failure_reason", "create_time", "update_time", "expire_time", "finish_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_VND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    RETURN_URL_FIELD_NUMBER: _ClassVar[int]
    PAYER_EMAIL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_VND_FIELD_NUMBER: _ClassVar[int]
    REFUND_AMOUNT_AVAILABLE_VND_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    reference: str
    description: str
    amount_vnd: int
    state: PaymentState
    provider: PaymentProvider
    return_url: str
    payer_email: str
    provider_reference: str
    refunded_amount_vnd: int
    refund_amount_available_vnd: int
    failure_reason: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    finish_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., reference: _Optional[str] = ..., description: _Optional[str] = ..., amount_vnd: _Optional[int] = ..., state: _Optional[_Union[PaymentState, str]] = ..., provider: _Optional[_Union[PaymentProvider, str]] = ..., return_url: _Optional[str] = ..., payer_email: _Optional[str] = ..., provider_reference: _Optional[str] = ..., refunded_amount_vnd: _Optional[int] = ..., refund_amount_available_vnd: _Optional[int] = ..., failure_reason: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentTransition(_message.Message):
    __slots__ = ("from_state", "to_state", "time", "cause", "detail")
    FROM_STATE_FIELD_NUMBER: _ClassVar[int]
    TO_STATE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    from_state: PaymentState
    to_state: PaymentState
    time: _timestamp_pb2.Timestamp
    cause: str
    detail: str
    def __init__(self, from_state: _Optional[_Union[PaymentState, str]] = ..., to_state: _Optional[_Union[PaymentState, str]] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cause: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class CreatePaymentRequest(_message.Message):
    __slots__ = ("amount_vnd", "description", "reference", "return_url", "idempotency_key", "provider", "payer_email")
    AMOUNT_VND_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RETURN_URL_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    PAYER_EMAIL_FIELD_NUMBER: _ClassVar[int]
    amount_vnd: int
    description: str
    reference: str
    return_url: str
    idempotency_key: str
    provider: PaymentProvider
    payer_email: str
    def __init__(self, amount_vnd: _Optional[int] = ..., description: _Optional[str] = ..., reference: _Optional[str] = ..., return_url: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., provider: _Optional[_Union[PaymentProvider, str]] = ..., payer_email: _Optional[str] = ...) -> None: ...

class CreatePaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class GetPaymentRequest(_message.Message):
    __slots__ = ("payment_id",)
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    def __init__(self, payment_id: _Optional[str] = ...) -> None: ...

class GetPaymentResponse(_message.Message):
    __slots__ = ("payment", "transitions")
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    TRANSITIONS_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    transitions: _containers.RepeatedCompositeFieldContainer[PaymentTransition]
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ..., transitions: _Optional[_Iterable[_Union[PaymentTransition, _Mapping]]] = ...) -> None: ...

class SearchPaymentsRequest(_message.Message):
    __slots__ = ("states", "create_time_start", "create_time_end", "reference", "page_size", "page_token")
    STATES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_START_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_END_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedScalarFieldContainer[PaymentState]
    create_time_start: _timestamp_pb2.Timestamp
    create_time_end: _timestamp_pb2.Timestamp
    reference: str
    page_size: int
    page_token: str
    def __init__(self, states: _Optional[_Iterable[_Union[PaymentState, str]]] = ..., create_time_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reference: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class SearchPaymentsResponse(_message.Message):
    __slots__ = ("payments", "next_page_token")
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    payments: _containers.RepeatedCompositeFieldContainer[Payment]
    next_page_token: str
    def __init__(self, payments: _Optional[_Iterable[_Union[Payment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class NextAction(_message.Message):
    __slots__ = ("redirect_url", "expire_time")
    REDIRECT_URL_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    redirect_url: str
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, redirect_url: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StartPaymentRequest(_message.Message):
    __slots__ = ("payment_id", "payer_ip", "locale", "sandbox_scenario")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAYER_IP_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_SCENARIO_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    payer_ip: str
    locale: str
    sandbox_scenario: SandboxScenario
    def __init__(self, payment_id: _Optional[str] = ..., payer_ip: _Optional[str] = ..., locale: _Optional[str] = ..., sandbox_scenario: _Optional[_Union[SandboxScenario, str]] = ...) -> None: ...

class StartPaymentResponse(_message.Message):
    __slots__ = ("payment", "next_action")
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    NEXT_ACTION_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    next_action: NextAction
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ..., next_action: _Optional[_Union[NextAction, _Mapping]] = ...) -> None: ...

class CancelPaymentRequest(_message.Message):
    __slots__ = ("payment_id", "reason")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    reason: str
    def __init__(self, payment_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelPaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class Refund(_message.Message):
    __slots__ = ("id", "payment_id", "amount_vnd", "state", "reason", "failure_reason", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_VND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    payment_id: str
    amount_vnd: int
    state: RefundState
    reason: str
    failure_reason: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., payment_id: _Optional[str] = ..., amount_vnd: _Optional[int] = ..., state: _Optional[_Union[RefundState, str]] = ..., reason: _Optional[str] = ..., failure_reason: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateRefundRequest(_message.Message):
    __slots__ = ("payment_id", "amount_vnd", "refund_amount_available_vnd", "reason", "idempotency_key")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_VND_FIELD_NUMBER: _ClassVar[int]
    REFUND_AMOUNT_AVAILABLE_VND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    amount_vnd: int
    refund_amount_available_vnd: int
    reason: str
    idempotency_key: str
    def __init__(self, payment_id: _Optional[str] = ..., amount_vnd: _Optional[int] = ..., refund_amount_available_vnd: _Optional[int] = ..., reason: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class CreateRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: Refund
    def __init__(self, refund: _Optional[_Union[Refund, _Mapping]] = ...) -> None: ...

class GetRefundRequest(_message.Message):
    __slots__ = ("refund_id",)
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    refund_id: str
    def __init__(self, refund_id: _Optional[str] = ...) -> None: ...

class GetRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: Refund
    def __init__(self, refund: _Optional[_Union[Refund, _Mapping]] = ...) -> None: ...

class ListRefundsRequest(_message.Message):
    __slots__ = ("payment_id", "page_size", "page_token")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    page_size: int
    page_token: str
    def __init__(self, payment_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRefundsResponse(_message.Message):
    __slots__ = ("refunds", "next_page_token")
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refunds: _containers.RepeatedCompositeFieldContainer[Refund]
    next_page_token: str
    def __init__(self, refunds: _Optional[_Iterable[_Union[Refund, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class StateTotal(_message.Message):
    __slots__ = ("state", "count", "amount_vnd")
    STATE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_VND_FIELD_NUMBER: _ClassVar[int]
    state: PaymentState
    count: int
    amount_vnd: int
    def __init__(self, state: _Optional[_Union[PaymentState, str]] = ..., count: _Optional[int] = ..., amount_vnd: _Optional[int] = ...) -> None: ...

class LedgerBalance(_message.Message):
    __slots__ = ("account", "balance_vnd")
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    BALANCE_VND_FIELD_NUMBER: _ClassVar[int]
    account: str
    balance_vnd: int
    def __init__(self, account: _Optional[str] = ..., balance_vnd: _Optional[int] = ...) -> None: ...

class ReconciliationMismatch(_message.Message):
    __slots__ = ("payment_id", "refund_id", "kind", "expected_vnd", "actual_vnd", "detail")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VND_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_VND_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    refund_id: str
    kind: str
    expected_vnd: int
    actual_vnd: int
    detail: str
    def __init__(self, payment_id: _Optional[str] = ..., refund_id: _Optional[str] = ..., kind: _Optional[str] = ..., expected_vnd: _Optional[int] = ..., actual_vnd: _Optional[int] = ..., detail: _Optional[str] = ...) -> None: ...

class GetReconciliationReportRequest(_message.Message):
    __slots__ = ("date", "include_csv")
    DATE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CSV_FIELD_NUMBER: _ClassVar[int]
    date: _date_pb2.Date
    include_csv: bool
    def __init__(self, date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., include_csv: _Optional[bool] = ...) -> None: ...

class GetReconciliationReportResponse(_message.Message):
    __slots__ = ("date", "payment_totals", "refund_count", "refunded_amount_vnd", "net_collected_vnd", "ledger_balances", "mismatches", "csv", "generate_time")
    DATE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TOTALS_FIELD_NUMBER: _ClassVar[int]
    REFUND_COUNT_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_VND_FIELD_NUMBER: _ClassVar[int]
    NET_COLLECTED_VND_FIELD_NUMBER: _ClassVar[int]
    LEDGER_BALANCES_FIELD_NUMBER: _ClassVar[int]
    MISMATCHES_FIELD_NUMBER: _ClassVar[int]
    CSV_FIELD_NUMBER: _ClassVar[int]
    GENERATE_TIME_FIELD_NUMBER: _ClassVar[int]
    date: _date_pb2.Date
    payment_totals: _containers.RepeatedCompositeFieldContainer[StateTotal]
    refund_count: int
    refunded_amount_vnd: int
    net_collected_vnd: int
    ledger_balances: _containers.RepeatedCompositeFieldContainer[LedgerBalance]
    mismatches: _containers.RepeatedCompositeFieldContainer[ReconciliationMismatch]
    csv: bytes
    generate_time: _timestamp_pb2.Timestamp
    def __init__(self, date: _Optional[_Union[_date_pb2.Date, _Mapping]] = ..., payment_totals: _Optional[_Iterable[_Union[StateTotal, _Mapping]]] = ..., refund_count: _Optional[int] = ..., refunded_amount_vnd: _Optional[int] = ..., net_collected_vnd: _Optional[int] = ..., ledger_balances: _Optional[_Iterable[_Union[LedgerBalance, _Mapping]]] = ..., mismatches: _Optional[_Iterable[_Union[ReconciliationMismatch, _Mapping]]] = ..., csv: _Optional[bytes] = ..., generate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LedgerInvariantViolation(_message.Message):
    __slots__ = ("agency_id", "kind", "transaction_id", "detail")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    kind: str
    transaction_id: str
    detail: str
    def __init__(self, agency_id: _Optional[str] = ..., kind: _Optional[str] = ..., transaction_id: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class CheckLedgerInvariantsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CheckLedgerInvariantsResponse(_message.Message):
    __slots__ = ("ok", "agencies_checked", "transactions_checked", "violations")
    OK_FIELD_NUMBER: _ClassVar[int]
    AGENCIES_CHECKED_FIELD_NUMBER: _ClassVar[int]
    TRANSACTIONS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    agencies_checked: int
    transactions_checked: int
    violations: _containers.RepeatedCompositeFieldContainer[LedgerInvariantViolation]
    def __init__(self, ok: _Optional[bool] = ..., agencies_checked: _Optional[int] = ..., transactions_checked: _Optional[int] = ..., violations: _Optional[_Iterable[_Union[LedgerInvariantViolation, _Mapping]]] = ...) -> None: ...
