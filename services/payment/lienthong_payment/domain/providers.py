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
