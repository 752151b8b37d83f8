"""Payment handler rules on the in-memory unit of work: idempotency, forward-only states, expiry, agency
isolation, paging. No PostgreSQL, no server, no gRPC."""

from __future__ import annotations

import pytest

from lienthong_payment.domain.lifecycle import StartOptions
from lienthong_payment.domain.payment import PaymentRequest, PaymentState
from lienthong_payment.handlers import payments
from lienthong_payment.handlers.expiry import expire_due
from lienthong_payment.handlers.refunds import list_refunds
from lienthong_runtime.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound

from ..fake_provider import Clock, FakeProvider, services
from ..fakes import FakePaymentUnitOfWork


def request(**overrides) -> PaymentRequest:
    values = {
        "amount_vnd": 150_000,
        "description": "Lệ phí",
        "reference": "HS-1",
        "return_url": "https://dichvucong.example.vn/r",
        "idempotency_key": "key-1",
        "provider": "sandbox",
        "payer_email": "a@example.vn",
    }
    return PaymentRequest(**{**values, **overrides})


async def test_the_same_key_and_request_give_the_same_payment():
    uow, svc = FakePaymentUnitOfWork(), services()
    first = await payments.create_payment(uow, svc, "agency-a", request())
    again = await payments.create_payment(uow, svc, "agency-a", request())
    assert again.id == first.id and len(uow.payment_rows) == 1
    assert len(first.id) == 32 and first.id[12] == "7"  # a UUIDv7 as 32 hex digits


@pytest.mark.parametrize(
    "change",
    [{"amount_vnd": 150_001}, {"return_url": "https://other.example.vn/r"}, {"payer_email": "b@x.vn"}],
)
async def test_the_same_key_with_another_request_is_refused(change):
    uow, svc = FakePaymentUnitOfWork(), services()
    await payments.create_payment(uow, svc, "agency-a", request())
    with pytest.raises(AlreadyExists) as refused:
        await payments.create_payment(uow, svc, "agency-a", request(**change))
    assert refused.value.reason == "IDEMPOTENCY_KEY_REUSED" and len(uow.payment_rows) == 1


async def test_keys_belong_to_their_agency():
    uow, svc = FakePaymentUnitOfWork(), services()
    mine = await payments.create_payment(uow, svc, "agency-a", request())
    theirs = await payments.create_payment(uow, svc, "agency-b", request(amount_vnd=1))
    assert mine.id != theirs.id and theirs.agency_id == "agency-b"


async def test_a_provider_not_configured_or_a_bad_request_stores_nothing():
    uow, svc = FakePaymentUnitOfWork(), services()
    with pytest.raises(FailedPrecondition) as refused:
        await payments.create_payment(uow, svc, "agency-a", request(provider="vnpay"))
    assert refused.value.reason == "PROVIDER_NOT_AVAILABLE"
    with pytest.raises(InvalidArgument) as invalid:
        await payments.create_payment(uow, svc, "agency-a", request(amount_vnd=0, description=""))
    assert {v.field for v in invalid.value.field_violations} == {"amount_vnd", "description"}
    assert not uow.payment_rows and uow.commits == 0


async def test_another_agencys_payment_does_not_exist_for_the_caller():
    uow, svc = FakePaymentUnitOfWork(), services()
    payment = await payments.create_payment(uow, svc, "agency-a", request())
    for attempt in (
        payments.get_payment(uow, "agency-b", payment.id),
        payments.start_payment(uow, svc, "agency-b", payment.id, StartOptions()),
        payments.cancel_payment(uow, svc, "agency-b", payment.id),
    ):
        with pytest.raises(NotFound) as hidden:
            await attempt
        assert hidden.value.reason == "PAYMENT_NOT_FOUND"
    found, _ = await payments.search_payments(uow, "agency-b", payments.Search())
    assert found == [] and uow.payment_rows[payment.id].state is PaymentState.CREATED


async def test_start_hands_the_payment_over_once_and_repeats_the_same_next_action():
    uow, provider = FakePaymentUnitOfWork(), FakeProvider()
    svc = services(provider)
    payment = await payments.create_payment(uow, svc, "agency-a", request())
    first, action = await payments.start_payment(uow, svc, "agency-a", payment.id, StartOptions())
    again, same = await payments.start_payment(uow, svc, "agency-a", payment.id, StartOptions())
    assert first.state is again.state is PaymentState.STARTED and action == same
    assert provider.started == [payment.id]
    _, moves = await payments.get_payment(uow, "agency-a", payment.id)
    assert [(m.from_state, m.to_state) for m in moves] == [(PaymentState.CREATED, PaymentState.STARTED)]


async def test_states_only_move_forward():
    uow, svc = FakePaymentUnitOfWork(), services()
    payment = await payments.create_payment(uow, svc, "agency-a", request())
    cancelled = await payments.cancel_payment(uow, svc, "agency-a", payment.id, "changed my mind")
    assert cancelled.state is PaymentState.CANCELLED and len(uow.events("PaymentFailed")) == 1
    # Cancelling again changes nothing and publishes nothing more; starting it is refused.
    await payments.cancel_payment(uow, svc, "agency-a", payment.id)
    assert len(uow.events("PaymentFailed")) == 1
    with pytest.raises(FailedPrecondition) as refused:
        await payments.start_payment(uow, svc, "agency-a", payment.id, StartOptions())
    assert refused.value.reason == "PAYMENT_ALREADY_STARTED"
    assert uow.payment_rows[payment.id].state is PaymentState.CANCELLED


async def test_expiry_ends_only_payments_whose_time_is_up():
    uow, clock = FakePaymentUnitOfWork(), Clock()
    svc = services(clock=clock)
    old = await payments.create_payment(uow, svc, "agency-a", request(idempotency_key="old"))
    clock.advance(minutes=30)
    young = await payments.create_payment(uow, svc, "agency-a", request(idempotency_key="young"))
    clock.advance(minutes=61)  # old is 91 minutes old, young 61 (the lifetime is 90)
    assert await expire_due(uow, svc) == 1
    assert uow.payment_rows[old.id].state is PaymentState.EXPIRED
    assert uow.payment_rows[old.id].failure_reason == "TIMEOUT"
    assert uow.payment_rows[young.id].state is PaymentState.CREATED
    assert [e.subject for e in uow.events("PaymentFailed")] == [old.id]
    assert await expire_due(uow, svc) == 0


async def test_a_late_start_expires_the_payment_instead():
    uow, clock = FakePaymentUnitOfWork(), Clock()
    svc = services(clock=clock)
    payment = await payments.create_payment(uow, svc, "agency-a", request())
    clock.advance(minutes=91)
    with pytest.raises(FailedPrecondition) as refused:
        await payments.start_payment(uow, svc, "agency-a", payment.id, StartOptions())
    assert refused.value.reason == "PAYMENT_ALREADY_STARTED"
    assert uow.payment_rows[payment.id].state is PaymentState.EXPIRED  # committed before refusing
    assert len(uow.events("PaymentFailed")) == 1


async def test_pages_cover_every_payment_once_and_tokens_are_bound_to_their_list():
    uow, clock = FakePaymentUnitOfWork(), Clock()
    svc = services(clock=clock)
    for n in range(7):
        await payments.create_payment(uow, svc, "agency-a", request(idempotency_key=f"k{n}"))
        if n % 2:
            clock.advance(seconds=1)  # some share a create_time: the id breaks the tie
    seen, token = [], ""
    while True:
        page, token = await payments.search_payments(
            uow, "agency-a", payments.Search(page_size=3, page_token=token)
        )
        seen += [p.id for p in page]
        if not token:
            break
    assert len(seen) == len(set(seen)) == 7
    with pytest.raises(InvalidArgument) as wrong_list:
        await list_refunds(
            uow,
            "agency-a",
            "",
            3,
            (await payments.search_payments(uow, "agency-a", payments.Search(page_size=3)))[1],
        )
    assert wrong_list.value.reason == "PAGE_TOKEN_INVALID"
    for size in (-1, 501):
        with pytest.raises(InvalidArgument) as too_big:
            await payments.search_payments(uow, "agency-a", payments.Search(page_size=size))
        assert too_big.value.reason == "PAGE_SIZE_INVALID"
