"""Create, read, search, start and cancel payments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import lienthong_runtime.paging as paging
from lienthong_runtime.errors import Aborted, AlreadyExists, NotFound, invalid
from lienthong_runtime.ids import new_id

from ..domain import lifecycle
from ..domain.lifecycle import NextAction, StartOptions
from ..domain.payment import Payment, PaymentRequest, PaymentState, Transition
from . import events
from .ports import PaymentUnitOfWork, Services

#: The list method a page token belongs to (a token of another list is refused).
SEARCH = "payment.SearchPayments"


def not_found() -> NotFound:
    # The same answer whether the payment does not exist or belongs to another agency.
    return NotFound("no such payment", reason="PAYMENT_NOT_FOUND")


async def create_payment(
    uow: PaymentUnitOfWork, services: Services, agency_id: str, request: PaymentRequest
) -> Payment:
    """Create a payment, or return the one already created with this idempotency key and parameters."""
    policy = services.policy
    request.validate(max_amount_vnd=policy.max_amount_vnd, allow_http_localhost=policy.allow_http_localhost)
    services.provider(request.provider)  # refuses a provider that is not configured here
    payment = Payment.create(
        id=new_id(), agency_id=agency_id, request=request, now=services.clock(), lifetime=policy.lifetime
    )
    # One statement (atomic by itself) in the common case; the unique constraint settles races.
    async with uow.autocommit():
        if await uow.payments.add_if_new(payment):
            return payment
        existing = await uow.payments.get_by_key(agency_id, request.idempotency_key)
    if existing is None:  # the row that held the key vanished between the two statements
        raise Aborted(
            "the idempotency key is being used concurrently; retry", reason="CONCURRENT_MODIFICATION"
        )
    if not existing.same_request(payment):
        raise AlreadyExists(
            "this idempotency key was used with different parameters", reason="IDEMPOTENCY_KEY_REUSED"
        )
    return existing


async def get_payment(
    uow: PaymentUnitOfWork, agency_id: str, payment_id: str
) -> tuple[Payment, list[Transition]]:
    if not payment_id:
        raise invalid("payment_id", "required")
    async with uow:
        payment = await uow.payments.get(payment_id, agency_id=agency_id)
        if payment is None:
            raise not_found()
        return payment, await uow.payments.transitions(payment_id)


@dataclass(frozen=True)
class Search:
    states: Sequence[PaymentState] = ()
    start: datetime | None = None
    end: datetime | None = None
    reference: str = ""
    page_size: int = 0
    page_token: str = ""


async def search_payments(uow: PaymentUnitOfWork, agency_id: str, query: Search) -> tuple[list[Payment], str]:
    size, after = paging.page_size(query.page_size), paging.decode_keyset(SEARCH, query.page_token)
    if query.start and query.end and query.start >= query.end:
        raise invalid("create_time_end", "must be after create_time_start")
    async with uow.autocommit():
        found = await uow.payments.search(
            agency_id,
            states=query.states,
            start=query.start,
            end=query.end,
            reference=query.reference,
            after=after,
            limit=size + 1,
        )
    if len(found) <= size:
        return found, ""
    last = found[size - 1]
    return found[:size], paging.encode_keyset(SEARCH, last.create_time, last.id)


async def start_payment(
    uow: PaymentUnitOfWork, services: Services, agency_id: str, payment_id: str, options: StartOptions
) -> tuple[Payment, NextAction]:
    """Hand a CREATED payment to its provider (once); a STARTED one returns the same next action.

    A payment whose time is up is expired here rather than started, even if the expiry job has not run yet.
    """
    async with uow:
        payment = await uow.payments.get(payment_id, agency_id=agency_id, lock=True)
        if payment is None:
            raise not_found()
        now, fresh = services.clock(), False
        expired = lifecycle.expire(payment, now)
        if expired:
            await uow.payments.save(payment)
            events.payment_finished(uow, payment)
        else:
            fresh = lifecycle.check_start(payment, options)
            provider = services.provider(payment.provider)
            if fresh:
                lifecycle.start(payment, provider.next_action(payment, options, now), options, now)
                await uow.payments.save(payment)
    if expired:
        services.woken_by(uow)
        lifecycle.check_start(payment, options)  # raises PAYMENT_ALREADY_STARTED for the EXPIRED payment
    if fresh:
        provider.after_start(payment, options)
    return payment, NextAction(payment.redirect_url, payment.redirect_expire_time)


async def cancel_payment(
    uow: PaymentUnitOfWork, services: Services, agency_id: str, payment_id: str, reason: str = ""
) -> Payment:
    async with uow:
        payment = await uow.payments.get(payment_id, agency_id=agency_id, lock=True)
        if payment is None:
            raise not_found()
        if lifecycle.cancel(payment, services.clock(), reason):
            await uow.payments.save(payment)
            events.payment_finished(uow, payment)
    services.woken_by(uow)
    return payment
