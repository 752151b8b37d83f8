"""Agency- and time-driven moves of a payment: start, cancel, expire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lienthong_runtime.errors import FailedPrecondition, InvalidArgument

from .payment import Payment, PaymentState

SANDBOX = "sandbox"
VNPAY = "vnpay"
PROVIDERS = (SANDBOX, VNPAY)


@dataclass(frozen=True)
class NextAction:
    """What the payer must do next (follow ``redirect_url`` until ``expire_time``)."""

    redirect_url: str = ""
    expire_time: datetime | None = None


@dataclass(frozen=True)
class StartOptions:
    payer_ip: str = ""
    locale: str = "vi"
    sandbox_scenario: int = 0


def check_start(payment: Payment, options: StartOptions) -> bool:
    """True if ``payment`` must be handed to its provider now; False if it already was (same next action).

    Raises for a payment past STARTED or a sandbox scenario on a real provider.
    """
    if options.sandbox_scenario and payment.provider != SANDBOX:
        raise InvalidArgument(
            "sandbox_scenario is only valid for the sandbox provider", reason="SANDBOX_SCENARIO_NOT_ALLOWED"
        )
    if options.locale not in ("", "vi", "en"):
        raise InvalidArgument("locale must be 'vi' or 'en'", reason="LOCALE_INVALID")
    if payment.state is PaymentState.CREATED:
        return True
    if payment.state is PaymentState.STARTED:
        return False
    raise FailedPrecondition(f"the payment is already {payment.state.name}", reason="PAYMENT_ALREADY_STARTED")


def start(payment: Payment, action: NextAction, options: StartOptions, now: datetime) -> None:
    payment.redirect_url = action.redirect_url
    payment.redirect_expire_time = action.expire_time
    payment.sandbox_scenario = options.sandbox_scenario
    payment.move(PaymentState.STARTED, now=now, cause="api.start")


def cancel(payment: Payment, now: datetime, reason: str = "") -> bool:
    """Cancel a CREATED or STARTED payment; False (no change) if it already is cancelled."""
    if payment.state is PaymentState.CANCELLED:
        return False
    if payment.state not in (PaymentState.CREATED, PaymentState.STARTED):
        raise FailedPrecondition(
            f"a {payment.state.name} payment cannot be cancelled", reason="PAYMENT_NOT_CANCELLABLE"
        )
    payment.move(
        PaymentState.CANCELLED, now=now, cause="api.cancel", failure_reason="CANCELLED", detail=reason[:500]
    )
    return True


def expire(payment: Payment, now: datetime) -> bool:
    """Expire an unfinished payment whose time is up; False if there is nothing to do."""
    if not payment.is_due_to_expire(now):
        return False
    payment.move(PaymentState.EXPIRED, now=now, cause="expiry", failure_reason="TIMEOUT")
    return True
