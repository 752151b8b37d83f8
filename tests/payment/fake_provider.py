"""A payment provider, a clock and the handlers' ``Services`` for tests without a network or a server."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lienthong_payment.domain.lifecycle import NextAction, StartOptions
from lienthong_payment.domain.notifications import ProviderNotification
from lienthong_payment.domain.payment import Payment
from lienthong_payment.domain.providers import Acknowledgement, RefundOutcome
from lienthong_payment.domain.refund import Refund
from lienthong_payment.handlers.ports import Policy, Services


@dataclass
class FakeProvider:
    """A provider that answers at once: a fixed redirect, refunds succeed unless ``refund_fails``."""

    name: str = "sandbox"
    refund_fails: bool = False
    started: list[str] = field(default_factory=list)
    refunded: list[str] = field(default_factory=list)

    def next_action(self, payment: Payment, options: StartOptions, now: datetime) -> NextAction:
        return NextAction(f"https://pay.example.vn/{payment.id}", now + timedelta(minutes=15))

    def verify_notification(self, params: Mapping[str, str]) -> ProviderNotification:
        return ProviderNotification(self.name, params["payment_id"], int(params["amount"]), True)

    def acknowledge(self, result: str) -> Acknowledgement:
        return Acknowledgement(200, {"result": result})

    async def refund(self, payment: Payment, refund: Refund) -> RefundOutcome:
        self.refunded.append(refund.id)
        return RefundOutcome(False, "DECLINED") if self.refund_fails else RefundOutcome(True)

    def after_start(self, payment: Payment, options: StartOptions) -> None:
        self.started.append(payment.id)

    async def query(self, payment: Payment) -> ProviderNotification | None:
        return None

    async def redeliver(self, payment: Payment) -> bool:
        return False


class Clock:
    """A settable clock (every handler takes its time from ``Services.clock``)."""

    def __init__(self, now: datetime = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def services(provider: FakeProvider | None = None, clock: Clock | None = None) -> Services:
    return Services({"sandbox": provider or FakeProvider()}, Policy(), clock or Clock())
