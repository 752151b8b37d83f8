"""The notification intake: every provider message, from the HTTP endpoint or the sandbox, comes through here."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from ..adapters import ledger_repo
from ..adapters import payments_repo as repo
from ..domain import ledger, notifications
from ..domain import providers as p
from ..domain.notifications import Disposition, ProviderNotification
from ..domain.payment import PaymentState
from . import Deps, events, new_id

log = logging.getLogger("lienthong.payment.notifications")


class NotificationIntake:
    """Verify, decide, apply and answer. A forged message is refused, logged and changes nothing."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def receive(self, provider_name: str, params: Mapping[str, str]) -> p.Acknowledgement:
        provider = self.deps.providers.get(provider_name)
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
        """One transaction: lock the payment, decide, record the message, and apply it if it changes anything."""
        deps = self.deps
        async with deps.transaction() as conn:
            payment = (
                await repo.get(conn, deps.keyring, note.payment_id, lock=True) if note.payment_id else None
            )
            disposition = notifications.decide(payment, note)
            now = deps.clock()
            if payment is not None and disposition is not Disposition.UNKNOWN_PAYMENT:
                await repo.record_notification(conn, note, disposition, now)
            if payment is None or disposition is not Disposition.APPLIED:
                return disposition
            notifications.apply(payment, note, now)
            await repo.save(conn, payment)
            if payment.state is PaymentState.SUCCESS:
                await ledger_repo.post(conn, ledger.post_payment(payment, transaction_id=new_id(), now=now))
            await events.payment_finished(conn, deps.keyring, payment)
        deps.wake()
        return disposition

    async def returned(self, provider_name: str, params: Mapping[str, str]) -> tuple[str, str] | None:
        """Record the payer's return (see ``notifications.payer_returned``). Returns the agency's return URL to
        send the browser to and the payment id, or None when this is not a genuine return of a known payment."""
        provider = self.deps.providers.get(provider_name)
        if provider is None:
            return None
        try:
            note = provider.verify_notification(params)
        except (p.SignatureInvalid, p.NotificationMalformed):
            log.warning("payer return refused: bad signature or fields", extra={"provider": provider_name})
            return None
        async with self.deps.db.begin() as conn:
            payment = (
                await repo.get(conn, self.deps.keyring, note.payment_id, lock=True)
                if note.payment_id
                else None
            )
            if payment is None or payment.provider != note.provider:
                return None
            if notifications.payer_returned(payment, note, self.deps.clock()):
                await repo.save(conn, payment)
        return payment.return_url, payment.id
