"""Create, read, search, start and cancel payments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lienthong_runtime.errors import Aborted, AlreadyExists, NotFound, invalid

from ..adapters import payments_repo as repo
from ..domain import lifecycle
from ..domain.lifecycle import NextAction, StartOptions
from ..domain.payment import Payment, PaymentRequest, PaymentState, Transition
from . import Deps, events, new_id, paging


def not_found() -> NotFound:
    # The same answer whether the payment does not exist or belongs to another agency.
    return NotFound("no such payment", reason="PAYMENT_NOT_FOUND")


async def create_payment(deps: Deps, agency_id: str, request: PaymentRequest) -> Payment:
    """Create a payment, or return the one already created with this idempotency key and parameters."""
    policy = deps.policy
    request.validate(max_amount_vnd=policy.max_amount_vnd, allow_http_localhost=policy.allow_http_localhost)
    deps.provider(request.provider)  # refuses a provider that is not configured here
    payment = Payment.create(
        id=new_id(), agency_id=agency_id, request=request, now=deps.clock(), lifetime=policy.lifetime
    )
    # One statement (atomic by itself) in the common case; the unique constraint settles races.
    async with deps.autocommit() as conn:
        if await repo.insert_if_new(conn, deps.keyring, payment):
            return payment
        existing = await repo.get_by_key(conn, deps.keyring, agency_id, request.idempotency_key)
    if existing is None:  # the row that held the key vanished between the two statements
        raise Aborted(
            "the idempotency key is being used concurrently; retry", reason="CONCURRENT_MODIFICATION"
        )
    if not existing.same_request(payment):
        raise AlreadyExists(
            "this idempotency key was used with different parameters", reason="IDEMPOTENCY_KEY_REUSED"
        )
    return existing


async def get_payment(deps: Deps, agency_id: str, payment_id: str) -> tuple[Payment, list[Transition]]:
    if not payment_id:
        raise invalid("payment_id", "required")
    async with deps.db.connect() as conn:
        payment = await repo.get(conn, deps.keyring, payment_id, agency_id=agency_id)
        if payment is None:
            raise not_found()
        return payment, await repo.transitions(conn, payment_id)


@dataclass(frozen=True)
class Search:
    states: Sequence[PaymentState] = ()
    start: datetime | None = None
    end: datetime | None = None
    reference: str = ""
    page_size: int = 0
    page_token: str = ""


async def search_payments(deps: Deps, agency_id: str, query: Search) -> tuple[list[Payment], str]:
    size, after = paging.page_size(query.page_size), paging.decode(query.page_token)
    if query.start and query.end and query.start >= query.end:
        raise invalid("create_time_end", "must be after create_time_start")
    async with deps.db.connect() as conn:
        found = await repo.search(
            conn,
            deps.keyring,
            agency_id,
            states=query.states,
            start=query.start,
            end=query.end,
            reference=query.reference,
            after=after,
            limit=size + 1,
        )
    token = paging.encode(found[size - 1].create_time, found[size - 1].id) if len(found) > size else ""
    return found[:size], token


async def start_payment(
    deps: Deps, agency_id: str, payment_id: str, options: StartOptions
) -> tuple[Payment, NextAction]:
    """Hand a CREATED payment to its provider (once); a STARTED one returns the same next action.

    A payment whose time is up is expired here rather than started, even if the expiry job has not run yet.
    """
    async with deps.transaction() as conn:
        payment = await repo.get(conn, deps.keyring, payment_id, agency_id=agency_id, lock=True)
        if payment is None:
            raise not_found()
        now, fresh = deps.clock(), False
        expired = lifecycle.expire(payment, now)
        if expired:
            await repo.save(conn, payment)
            await events.payment_finished(conn, deps.keyring, payment)
        else:
            fresh = lifecycle.check_start(payment, options)
            provider = deps.provider(payment.provider)
            if fresh:
                lifecycle.start(payment, provider.next_action(payment, options, now), options, now)
                await repo.save(conn, payment)
    if expired:
        deps.wake()
        lifecycle.check_start(payment, options)  # raises PAYMENT_ALREADY_STARTED for the EXPIRED payment
    if fresh:
        provider.after_start(payment, options)
    return payment, NextAction(payment.redirect_url, payment.redirect_expire_time)


async def cancel_payment(deps: Deps, agency_id: str, payment_id: str, reason: str = "") -> Payment:
    async with deps.db.begin() as conn:
        payment = await repo.get(conn, deps.keyring, payment_id, agency_id=agency_id, lock=True)
        if payment is None:
            raise not_found()
        if lifecycle.cancel(payment, deps.clock(), reason):
            await repo.save(conn, payment)
            await events.payment_finished(conn, deps.keyring, payment)
    deps.wake()
    return payment
