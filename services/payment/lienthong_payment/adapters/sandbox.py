"""The sandbox provider: a simulated gateway whose outcome is chosen by a test scenario.

| scenario (StartPaymentRequest.sandbox_scenario) | what happens after StartPayment              |
|---|---|
| UNSPECIFIED, SUCCESS (1)                         | SUBMITTED then SUCCESS                       |
| DECLINED (2)                                     | SUBMITTED then FAILED (failure_reason DECLINED) |
| ABANDONED (3)                                    | nothing: STARTED until it EXPIRES            |
| DUPLICATE_NOTIFICATION (4)                       | SUCCESS, and the notification comes twice    |

The sandbox completes a payment by sending itself a signed notification (VNPay-style ``sbx_*`` parameters,
HMAC-SHA512, answered with VNPay's RspCodes) through the same intake the HTTP endpoint
``/payment/v1/notifications/sandbox`` uses, ``notify_delay`` seconds after the STARTED state is committed.
Sandbox refunds always succeed.

Like a real provider, it does not give up on a notification that was not acknowledged (the process was killed
before sending it, the database was down): its outstanding notifications are its payments still STARTED or
SUBMITTED in the database (committed with the start, so they survive a crash), and the payment service's
resolver job (``handlers/resolve.py``) has it send them again (:meth:`redeliver`) until the intake has applied
them. :meth:`query` is its transaction query (VNPay's ``querydr``): the outcome its scenario decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from urllib.parse import quote

from ..domain import providers as p
from ..domain.lifecycle import SANDBOX, NextAction, StartOptions
from ..domain.notifications import ProviderNotification
from ..domain.payment import Payment
from ..domain.refund import Refund
from .signing import sign, signature_ok
from .vnpay import acknowledgement

log = logging.getLogger("lienthong.payment.sandbox")

SUCCESS, DECLINED, ABANDONED, DUPLICATE = 1, 2, 3, 4
Deliver = Callable[[str, Mapping[str, str]], Awaitable[object]]


class SandboxProvider:
    name = SANDBOX

    def __init__(self, *, secret: str, public_url: str, notify_delay: float = 0.2) -> None:
        self._secret = secret.encode()
        self.public_url = public_url.rstrip("/")
        self.notify_delay = notify_delay
        self.deliver: Deliver | None = None  # set by the composition root: the notification intake
        self._tasks: set[asyncio.Task[None]] = set()

    def next_action(self, payment: Payment, options: StartOptions, now: datetime) -> NextAction:
        url = f"{self.public_url}/payment/v1/sandbox/pay?payment_id={quote(payment.id)}"
        return NextAction(url, payment.expire_time)

    def notification(
        self, payment_id: str, amount_vnd: int, *, succeeded: bool = True, transaction_no: str = ""
    ) -> dict[str, str]:
        """A signed notification as the simulated gateway sends it (tests use it to replay and tamper). The
        transaction number is derived from the payment id, so a notification sent again is the same one."""
        params = {
            "sbx_TxnRef": payment_id,
            "sbx_Amount": str(amount_vnd * 100),
            "sbx_ResponseCode": "00" if succeeded else "51",
            "sbx_TransactionNo": transaction_no or self._transaction_no(payment_id),
        }
        return {**params, "sbx_SecureHash": sign(self._secret, params)}

    def verify_notification(self, params: Mapping[str, str]) -> ProviderNotification:
        signed = {k: v for k, v in params.items() if k.startswith("sbx_") and k != "sbx_SecureHash"}
        if not signature_ok(self._secret, signed, params.get("sbx_SecureHash", "")):
            raise p.SignatureInvalid("sandbox notification signature invalid")
        try:
            raw_amount, txn_ref, code = (
                int(signed["sbx_Amount"]),
                signed["sbx_TxnRef"],
                signed["sbx_ResponseCode"],
            )
        except (KeyError, ValueError):
            raise p.NotificationMalformed("sandbox notification lacks a field") from None
        number = signed.get("sbx_TransactionNo", "")
        return ProviderNotification(
            provider=SANDBOX,
            payment_id=txn_ref,
            amount_vnd=raw_amount // 100 if raw_amount % 100 == 0 else -1,
            succeeded=code == "00",
            provider_reference=number,
            failure_reason="" if code == "00" else "DECLINED",
            dedupe_key=f"{txn_ref}:{number}:{code}",
        )

    def _transaction_no(self, payment_id: str) -> str:
        return hmac.new(self._secret, b"txn|" + payment_id.encode(), hashlib.sha256).hexdigest()[:16]

    def _outcome(self, payment: Payment) -> bool | None:
        """Whether the payer pays (True), is declined (False) or never pays (None), by the payment's scenario."""
        if payment.provider != SANDBOX or payment.sandbox_scenario == ABANDONED:
            return None
        return payment.sandbox_scenario != DECLINED

    async def query(self, payment: Payment) -> ProviderNotification | None:
        outcome = self._outcome(payment)
        if outcome is None:
            return None
        return self.verify_notification(self.notification(payment.id, payment.amount_vnd, succeeded=outcome))

    async def redeliver(self, payment: Payment) -> bool:
        outcome = self._outcome(payment)
        if outcome is None or self.deliver is None:
            return False
        await self.deliver(SANDBOX, self.notification(payment.id, payment.amount_vnd, succeeded=outcome))
        return True

    def acknowledge(self, result: str) -> p.Acknowledgement:
        return acknowledgement(result)

    async def refund(self, payment: Payment, refund: Refund) -> p.RefundOutcome:
        return p.RefundOutcome(True)

    def after_start(self, payment: Payment, options: StartOptions) -> None:
        scenario = options.sandbox_scenario or SUCCESS
        if scenario == ABANDONED or self.deliver is None:
            return
        note = self.notification(payment.id, payment.amount_vnd, succeeded=scenario != DECLINED)
        task = asyncio.create_task(self._send(note, 2 if scenario == DUPLICATE else 1))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, note: dict[str, str], times: int) -> None:
        if self.notify_delay > 0:
            await asyncio.sleep(self.notify_delay)
        for _ in range(times):
            try:
                assert self.deliver is not None
                await self.deliver(SANDBOX, note)
            except Exception:
                log.exception("sandbox self-notification failed")

    async def idle(self) -> None:
        """Wait until every scheduled self-notification has been delivered (tests, benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
