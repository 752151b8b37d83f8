"""Refunds: reserve under the payment's row lock, ask the provider, then settle and post the ledger."""

from __future__ import annotations

import hmac
import logging
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from lienthong_runtime.errors import AlreadyExists, NotFound, invalid

from ..adapters import ledger_repo, refunds_repo
from ..adapters import payments_repo as repo
from ..domain import ledger
from ..domain import refund as rules
from ..domain.payment import Payment
from ..domain.providers import RefundOutcome
from ..domain.refund import Refund, RefundRequest, RefundState
from . import Deps, events, new_id, paging
from .payments import not_found

log = logging.getLogger("lienthong.payment.refunds")


def _same_request(existing: Refund, request: RefundRequest) -> Refund:
    if not hmac.compare_digest(existing.fingerprint, request.fingerprint()):
        raise AlreadyExists(
            "this idempotency key was used with different parameters", reason="IDEMPOTENCY_KEY_REUSED"
        )
    return existing


async def create_refund(deps: Deps, agency_id: str, request: RefundRequest) -> Refund:
    """Refund all or part of a SUCCESS payment; never more than what remains, even when refunds race."""
    request.validate()
    try:
        async with deps.db.begin() as conn:
            payment = await repo.get(conn, deps.keyring, request.payment_id, agency_id=agency_id, lock=True)
            if payment is None:
                raise not_found()
            existing = await refunds_repo.get_by_key(conn, agency_id, request.idempotency_key)
            if existing is not None:
                return _same_request(existing, request)
            refund = rules.reserve(payment, request, refund_id=new_id(), now=deps.clock())
            await refunds_repo.add(conn, refund)
            await repo.save(conn, payment)
    except IntegrityError:
        # The same key raced on another payment of the agency: the winner's refund is the answer.
        async with deps.db.connect() as conn:
            existing = await refunds_repo.get_by_key(conn, agency_id, request.idempotency_key)
        if existing is None:
            raise
        return _same_request(existing, request)
    return await drive_refund(deps, payment, refund)


async def drive_refund(deps: Deps, payment: Payment, refund: Refund) -> Refund:
    """Ask the provider for a reserved refund and settle it. Adapters pass ``refund.id`` to the provider as
    the request id, so asking again after a crash cannot refund twice."""
    try:
        outcome = await deps.provider(payment.provider).refund(payment, refund)
    except Exception:
        log.exception("provider refund failed", extra={"provider": payment.provider})
        outcome = RefundOutcome(False, "PROVIDER_ERROR")
    return await settle_refund(deps, refund.id, refund.agency_id, outcome)


async def retry_stale_refunds(deps: Deps, older_than: timedelta, now: datetime | None = None) -> int:
    """Drive refunds left SUBMITTED (the process stopped between reserving and settling). Returns how many."""
    cutoff = (now or deps.clock()) - older_than
    async with deps.db.connect() as conn:
        stale = await refunds_repo.submitted_before(conn, cutoff, limit=100)
        payments = {r.payment_id: await repo.get(conn, deps.keyring, r.payment_id) for r in stale}
    for refund in stale:
        payment = payments[refund.payment_id]
        if payment is not None:
            await drive_refund(deps, payment, refund)
    return len(stale)


async def settle_refund(deps: Deps, refund_id: str, agency_id: str, outcome: RefundOutcome) -> Refund:
    """Apply the provider's answer once; a duplicate answer for a final refund changes nothing."""
    async with deps.db.begin() as conn:
        refund = await refunds_repo.get(conn, refund_id, agency_id)
        if refund is None:
            raise NotFound("no such refund", reason="REFUND_NOT_FOUND")
        payment = await repo.get(conn, deps.keyring, refund.payment_id, lock=True)
        assert payment is not None
        now = deps.clock()
        if rules.settle(
            payment, refund, succeeded=outcome.succeeded, now=now, failure_reason=outcome.failure_reason
        ):
            await refunds_repo.save(conn, refund)
            await repo.save(conn, payment)
            if refund.state is RefundState.SUCCESS:
                txn = ledger.post_refund(payment, refund, transaction_id=new_id(), now=now)
                await ledger_repo.post(conn, txn)
                await events.refunded(conn, deps.keyring, payment, refund)
    deps.wake()
    return refund


async def get_refund(deps: Deps, agency_id: str, refund_id: str) -> Refund:
    if not refund_id:
        raise invalid("refund_id", "required")
    async with deps.db.connect() as conn:
        refund = await refunds_repo.get(conn, refund_id, agency_id)
    if refund is None:
        raise NotFound("no such refund", reason="REFUND_NOT_FOUND")
    return refund


async def list_refunds(
    deps: Deps, agency_id: str, payment_id: str, size: int, token: str
) -> tuple[list[Refund], str]:
    limit, after = paging.page_size(size), paging.decode(token)
    async with deps.db.connect() as conn:
        found = await refunds_repo.list_for(
            conn, agency_id, payment_id=payment_id, after=after, limit=limit + 1
        )
    next_token = (
        paging.encode(found[limit - 1].create_time, found[limit - 1].id) if len(found) > limit else ""
    )
    return found[:limit], next_token
