"""The one interface every payment provider adapter implements (sandbox, VNPay, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .lifecycle import NextAction, StartOptions
from .notifications import ProviderNotification
from .payment import Payment
from .refund import Refund

#: Intake results besides the :class:`~.notifications.Disposition` values.
SIGNATURE_INVALID = "SIGNATURE_INVALID"
MALFORMED = "MALFORMED"
ERROR = "ERROR"


class SignatureInvalid(Exception):
    """The message's signature is missing or wrong: it is refused and changes nothing."""


class NotificationMalformed(Exception):
    """The message is signed correctly but lacks or garbles a field we need."""


class ProviderUnavailable(Exception):
    """The provider could not be asked (network, timeout, an unsigned or garbled answer): try again later."""


@dataclass(frozen=True)
class RefundOutcome:
    succeeded: bool
    failure_reason: str = ""


@dataclass(frozen=True)
class Acknowledgement:
    """What the notification endpoint answers the provider (HTTP status, JSON body)."""

    status: int
    body: Mapping[str, str]


class PaymentProvider(Protocol):
    #: Lower-case name stored on payments and used in URLs: ``sandbox``, ``vnpay``.
    name: str

    def next_action(self, payment: Payment, options: StartOptions, now: datetime) -> NextAction:
        """Where to send the payer (e.g. a signed redirect URL)."""
        ...

    def verify_notification(self, params: Mapping[str, str]) -> ProviderNotification:
        """Check the signature (constant-time) and translate; raises SignatureInvalid / NotificationMalformed."""
        ...

    def acknowledge(self, result: str) -> Acknowledgement:
        """The provider-specific answer for an intake result (a Disposition value or one of the constants)."""
        ...

    async def refund(self, payment: Payment, refund: Refund) -> RefundOutcome:
        """Ask the provider to return ``refund.amount_vnd`` to the payer."""
        ...

    def after_start(self, payment: Payment, options: StartOptions) -> None:
        """Called once the STARTED state is committed (the sandbox completes the payment from here)."""
        ...

    async def query(self, payment: Payment) -> ProviderNotification | None:
        """Ask the provider what became of a started payment (VNPay's ``querydr``), for a payment whose
        notification never came: its outcome as a notification when final at the provider, None while it is
        not (or the provider does not know the transaction). Raises ProviderUnavailable when it cannot be asked."""
        ...

    async def redeliver(self, payment: Payment) -> bool:
        """Send again the notification of a payment still unfinished here, as a provider re-sends until it is
        acknowledged (only the sandbox can: for real providers that is theirs to do). Whether it sent one."""
        ...
