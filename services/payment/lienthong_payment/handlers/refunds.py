"""Refunds: reserve under the payment's row lock, ask the provider, then settle and post the ledger."""

from __future__ import annotations

import hmac
import logging
from datetime import datetime, timedelta

import lienthong_runtime.paging as paging
from lienthong_runtime.errors import AlreadyExists, NotFound, invalid
from lienthong_runtime.ids import new_id

from ..domain import ledger
from ..domain import refund as rules
from ..domain.payment import Payment
from ..domain.providers import RefundOutcome
from ..domain.refund import Refund, RefundRequest, RefundState
from . import events
from .payments import not_found
from .ports import KeyConflict, PaymentUnitOfWork, Services

log = logging.getLogger("lienthong.payment.refunds")

#: The list method a page token belongs to.
LIST = "payment.ListRefunds"


def refund_not_found() -> NotFound:
    return NotFound("no such refund", reason="REFUND_NOT_FOUND")


def _same_request(existing: Refund, request: RefundRequest) -> Refund:
    if not hmac.compare_digest(existing.fingerprint, request.fingerprint()):
        raise AlreadyExists(
            "this idempotency key was used with different parameters", reason="IDEMPOTENCY_KEY_REUSED"
        )
    return existing


async def create_refund(
    uow: PaymentUnitOfWork, services: Services, agency_id: str, request: RefundRequest
) -> Refund:
    """Refund all or part of a SUCCESS payment; never more than what remains, even when refunds race."""
    request.validate()
    try:
        async with uow:
            payment = await uow.payments.get(request.payment_id, agency_id=agency_id, lock=True)
            if payment is None:
                raise not_found()
            existing = await uow.refunds.get_by_key(agency_id, request.idempotency_key)
            if existing is not None:
                return _same_request(existing, request)
            refund = rules.reserve(payment, request, refund_id=new_id(), now=services.clock())
            await uow.refunds.add(refund)
            await uow.payments.save(payment)
    except KeyConflict:
        # The same key raced on another payment of the agency: the winner's refund is the answer.
        async with uow.autocommit():
            existing = await uow.refunds.get_by_key(agency_id, request.idempotency_key)
        if existing is None:
            raise
        return _same_request(existing, request)
    return await drive_refund(uow, services, payment, refund)


async def drive_refund(
    uow: PaymentUnitOfWork, services: Services, payment: Payment, refund: Refund
) -> Refund:
    """Ask the provider for a reserved refund and settle it. Adapters pass ``refund.id`` to the provider as
    the request id, so asking again after a crash cannot refund twice."""
    try:
        outcome = await services.provider(payment.provider).refund(payment, refund)
    except Exception:
        log.exception("provider refund failed", extra={"provider": payment.provider})
        outcome = RefundOutcome(False, "PROVIDER_ERROR")
    return await settle_refund(uow, services, refund.id, refund.agency_id, outcome)


async def retry_stale_refunds(
    uow: PaymentUnitOfWork, services: Services, older_than: timedelta, now: datetime | None = None
) -> int:
    """Drive refunds left SUBMITTED (the process stopped between reserving and settling). Returns how many."""
    cutoff = (now or services.clock()) - older_than
    async with uow.autocommit():
        stale = await uow.refunds.submitted_before(cutoff, limit=100)
        payments = {r.payment_id: await uow.payments.get(r.payment_id) for r in stale}
    for refund in stale:
        payment = payments[refund.payment_id]
        if payment is not None:
            await drive_refund(uow, services, payment, refund)
    return len(stale)


async def settle_refund(
    uow: PaymentUnitOfWork, services: Services, refund_id: str, agency_id: str, outcome: RefundOutcome
) -> Refund:
    """Apply the provider's answer once; a duplicate answer for a final refund changes nothing."""
    async with uow:
        refund = await uow.refunds.get(refund_id, agency_id)
        if refund is None:
            raise refund_not_found()
        payment = await uow.payments.get(refund.payment_id, lock=True)
        if payment is None:  # a foreign key holds the payment of every refund
            raise refund_not_found()
        now = services.clock()
        if rules.settle(
            payment, refund, succeeded=outcome.succeeded, now=now, failure_reason=outcome.failure_reason
        ):
            await uow.refunds.save(refund)
            await uow.payments.save(payment)
            if refund.state is RefundState.SUCCESS:
                await uow.ledger.post(ledger.post_refund(payment, refund, transaction_id=new_id(), now=now))
                events.refunded(uow, payment, refund)
    services.woken_by(uow)
    return refund


async def get_refund(uow: PaymentUnitOfWork, agency_id: str, refund_id: str) -> Refund:
    if not refund_id:
        raise invalid("refund_id", "required")
    async with uow.autocommit():
        refund = await uow.refunds.get(refund_id, agency_id)
    if refund is None:
        raise refund_not_found()
    return refund


async def list_refunds(
    uow: PaymentUnitOfWork, agency_id: str, payment_id: str, size: int, token: str
) -> tuple[list[Refund], str]:
    limit, after = paging.page_size(size), paging.decode_keyset(LIST, token)
    async with uow.autocommit():
        found = await uow.refunds.list_for(agency_id, payment_id=payment_id, after=after, limit=limit + 1)
    if len(found) <= limit:
        return found, ""
    last = found[limit - 1]
    return found[:limit], paging.encode_keyset(LIST, last.create_time, last.id)
