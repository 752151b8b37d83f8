"""The Payment aggregate: its request rules, its forward-only lifecycle and the record of every transition."""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import lienthong_runtime.validation as validation
from lienthong_runtime.errors import FailedPrecondition, FieldViolation


class PaymentState(enum.IntEnum):
    """Lifecycle states; the values are those of ``lienthong.payment.v1.PaymentState``."""

    CREATED = 1
    STARTED = 2
    SUBMITTED = 3
    SUCCESS = 4
    FAILED = 5
    CANCELLED = 6
    EXPIRED = 7

    @property
    def final(self) -> bool:
        return self in FINAL_STATES


FINAL_STATES = frozenset(
    {PaymentState.SUCCESS, PaymentState.FAILED, PaymentState.CANCELLED, PaymentState.EXPIRED}
)
UNFINISHED_STATES = frozenset(PaymentState) - FINAL_STATES

#: The only moves the lifecycle allows; everything else is refused (never silently applied).
ALLOWED: dict[PaymentState, frozenset[PaymentState]] = {
    PaymentState.CREATED: frozenset({PaymentState.STARTED, PaymentState.CANCELLED, PaymentState.EXPIRED}),
    PaymentState.STARTED: frozenset({PaymentState.SUBMITTED, PaymentState.CANCELLED, PaymentState.EXPIRED}),
    PaymentState.SUBMITTED: frozenset({PaymentState.SUCCESS, PaymentState.FAILED, PaymentState.EXPIRED}),
}


@dataclass(frozen=True)
class Transition:
    """One recorded state change: when, from what, to what, and what caused it."""

    from_state: PaymentState
    to_state: PaymentState
    time: datetime
    cause: str
    #: Free text that came with the cause (a cancellation reason); never personal data.
    detail: str = ""


@dataclass(frozen=True)
class PaymentRequest:
    """What an agency asks for; the fingerprint is what an idempotency key is bound to."""

    amount_vnd: int
    description: str
    reference: str
    return_url: str
    idempotency_key: str
    provider: str
    payer_email: str = ""

    def validate(self, *, max_amount_vnd: int, allow_http_localhost: bool) -> None:
        """Raise ``InvalidArgument`` listing every bad field (the runtime's validators for text, URL, e-mail)."""
        bad: list[FieldViolation | None] = []
        if not 0 < self.amount_vnd <= max_amount_vnd:
            bad.append(FieldViolation("amount_vnd", f"must be a whole number of đồng in 1..{max_amount_vnd}"))
        for name, value, longest in (
            ("description", self.description, 255),
            ("reference", self.reference, 100),
            ("idempotency_key", self.idempotency_key, 255),
        ):
            bad.append(
                validation.problem(name, validation.plain_text, value, max_length=longest, required=True)
            )
        bad.append(
            validation.problem(
                "return_url", validation.url, self.return_url, allow_http_localhost=allow_http_localhost
            )
        )
        if self.payer_email:
            bad.append(validation.problem("payer_email", validation.email, self.payer_email))
        validation.refuse("the payment request is invalid", bad, reason="PAYMENT_REQUEST_INVALID")

    def fingerprint(self) -> str:
        """A hash of every parameter except the key and the payer's e-mail (stored only sealed: an unkeyed hash
        of it would let a database dump confirm guessed addresses). See :meth:`Payment.same_request`."""
        canonical = json.dumps(
            [
                self.amount_vnd,
                self.description,
                self.reference,
                self.return_url,
                self.provider,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Payment:
    """A fee payment of one agency. Mutated only through :meth:`move`, which enforces the lifecycle."""

    id: str
    agency_id: str
    reference: str
    description: str
    amount_vnd: int
    provider: str
    return_url: str
    payer_email: str
    idempotency_key: str
    fingerprint: str
    create_time: datetime
    expire_time: datetime
    state: PaymentState = PaymentState.CREATED
    update_time: datetime | None = None
    finish_time: datetime | None = None
    provider_reference: str = ""
    failure_reason: str = ""
    refunded_amount_vnd: int = 0
    refund_pending_vnd: int = 0
    #: The next action handed out by StartPayment, kept so a repeated StartPayment returns the same one.
    redirect_url: str = ""
    redirect_expire_time: datetime | None = None
    sandbox_scenario: int = 0
    pending_transitions: list[Transition] = field(default_factory=list, repr=False)

    @classmethod
    def create(
        cls, *, id: str, agency_id: str, request: PaymentRequest, now: datetime, lifetime: timedelta
    ) -> Payment:
        return cls(
            id=id,
            agency_id=agency_id,
            reference=request.reference,
            description=request.description,
            amount_vnd=request.amount_vnd,
            provider=request.provider,
            return_url=request.return_url,
            payer_email=request.payer_email,
            idempotency_key=request.idempotency_key,
            fingerprint=request.fingerprint(),
            create_time=now,
            update_time=now,
            expire_time=now + lifetime,
        )

    def same_request(self, other: Payment) -> bool:
        """Whether ``other`` (a retry with the same idempotency key) carries exactly this payment's parameters."""
        return hmac.compare_digest(self.fingerprint, other.fingerprint) and hmac.compare_digest(
            self.payer_email.encode(), other.payer_email.encode()
        )

    def can_move(self, to: PaymentState) -> bool:
        return to in ALLOWED.get(self.state, frozenset())

    def move(
        self, to: PaymentState, *, now: datetime, cause: str, failure_reason: str = "", detail: str = ""
    ) -> Transition:
        """Apply one forward transition and record it; a backward or sideways move is a bug of the caller."""
        if not self.can_move(to):
            raise FailedPrecondition(
                f"a {self.state.name} payment cannot become {to.name}", reason="PAYMENT_STATE_CONFLICT"
            )
        transition = Transition(self.state, to, now, cause, detail)
        self.state = to
        self.update_time = now
        if to.final:
            self.finish_time = now
            self.failure_reason = failure_reason
        self.pending_transitions.append(transition)
        return transition

    @property
    def refund_amount_available_vnd(self) -> int:
        """What may still be refunded: nothing unless SUCCESS; pending refunds are reserved."""
        if self.state is not PaymentState.SUCCESS:
            return 0
        return self.amount_vnd - self.refunded_amount_vnd - self.refund_pending_vnd

    def is_due_to_expire(self, now: datetime) -> bool:
        return not self.state.final and self.expire_time <= now
