"""The notification intake: every provider message, from the HTTP endpoint or the sandbox, comes through here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from lienthong_runtime.ids import new_id

from ..domain import ledger, notifications
from ..domain import providers as p
from ..domain.notifications import Disposition, ProviderNotification
from ..domain.payment import PaymentState
from . import events
from .ports import PaymentUnitOfWork, Services

log = logging.getLogger("lienthong.payment.notifications")


async def apply_notification(
    uow: PaymentUnitOfWork, services: Services, note: ProviderNotification
) -> Disposition:
    """One transaction: lock the payment, decide, record the message, and apply it if it changes anything."""
    async with uow:
        payment = await uow.payments.get(note.payment_id, lock=True) if note.payment_id else None
        disposition = notifications.decide(payment, note)
        now = services.clock()
        if payment is not None and disposition is not Disposition.UNKNOWN_PAYMENT:
            await uow.payments.record_notification(note, disposition, now)
        if payment is None or disposition is not Disposition.APPLIED:
            return disposition
        notifications.apply(payment, note, now)
        await uow.payments.save(payment)
        if payment.state is PaymentState.SUCCESS:
            await uow.ledger.post(ledger.post_payment(payment, transaction_id=new_id(), now=now))
        events.payment_finished(uow, payment)
    services.woken_by(uow)
    return disposition


async def payer_returned(
    uow: PaymentUnitOfWork, services: Services, note: ProviderNotification
) -> tuple[str, str] | None:
    """Record the payer's return (``notifications.payer_returned``): the agency's return URL and the payment
    id, or None when this is not a return of a known payment of that provider."""
    async with uow:
        payment = await uow.payments.get(note.payment_id, lock=True) if note.payment_id else None
        if payment is None or payment.provider != note.provider:
            return None
        if notifications.payer_returned(payment, note, services.clock()):
            await uow.payments.save(payment)
    return payment.return_url, payment.id


class NotificationIntake:
    """Verify, decide, apply and answer. A forged message is refused, logged and changes nothing."""

    def __init__(self, uow_factory: Callable[[], PaymentUnitOfWork], services: Services) -> None:
        self.uow_factory, self.services = uow_factory, services

    async def receive(self, provider_name: str, params: Mapping[str, str]) -> p.Acknowledgement:
        provider = self.services.providers.get(provider_name)
        if provider is None:
            return p.Acknowledgement(404, {"RspCode": "99", "Message": "Unknown provider"})
        try:
            note = provider.verify_notification(params)
        except p.SignatureInvalid:
            log.warning(
                "provider notification refused: bad or missing signature", extra={"provider": provider_name}
            )
            return provider.acknowledge(p.SIGNATURE_INVALID)
        except p.NotificationMalformed as exc:
            log.warning("provider notification refused: %s", exc, extra={"provider": provider_name})
            return provider.acknowledge(p.MALFORMED)
        try:
            disposition = await self.apply(note)
        except Exception:
            log.exception("provider notification could not be applied", extra={"provider": provider_name})
            return provider.acknowledge(p.ERROR)
        if disposition is not Disposition.APPLIED:
            log.info(
                "provider notification ignored",
                extra={
                    "provider": provider_name,
                    "payment_id": note.payment_id[:64],
                    "disposition": disposition.value,
                },
            )
        return provider.acknowledge(disposition)

    async def apply(self, note: ProviderNotification) -> Disposition:
        return await apply_notification(self.uow_factory(), self.services, note)

    async def returned(self, provider_name: str, params: Mapping[str, str]) -> tuple[str, str] | None:
        """The payer's browser came back (VNPay's ``vnp_ReturnUrl``); None unless it is a genuine return."""
        provider = self.services.providers.get(provider_name)
        if provider is None:
            return None
        try:
            note = provider.verify_notification(params)
        except (p.SignatureInvalid, p.NotificationMalformed):
            log.warning("payer return refused: bad signature or fields", extra={"provider": provider_name})
            return None
        return await payer_returned(self.uow_factory(), self.services, note)
