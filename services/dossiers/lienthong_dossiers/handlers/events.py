"""What dossiers learns from other blocks: payment's PaymentSucceeded (a fee is paid: processing starts) and
documents' DocumentSent (a result document exists and who sent it). Each event is applied once."""

from __future__ import annotations

import logging
from dataclasses import replace

from ..domain.dossiers import PartState, receive
from .context import Deps, notice, working_calendar
from .ports import DossiersUnitOfWork

log = logging.getLogger("lienthong.dossiers.events")
CONSUMER = "dossiers"


async def payment_succeeded(
    uow: DossiersUnitOfWork, deps: Deps, event_id: str, agency_id: str, reference: str, amount_vnd: int
) -> bool:
    """Mark the dossier whose payment reference this is as paid, and receive its parts (their clocks start).
    Only a payment collected by the procedure's owning agency for at least the fee counts."""
    now = deps.clock()
    async with uow:
        if not await uow.ledger.first_delivery(CONSUMER, event_id):
            return False
        dossier = await uow.dossiers.by_payment_reference(reference[:40]) if reference else None
        if dossier is None or dossier.fee_paid:
            return False
        if agency_id != dossier.fee_agency_id or amount_vnd < dossier.fee_vnd:
            log.warning("payment not counted for a dossier fee", extra={"event_id": event_id})
            return False
        dossier = replace(dossier, fee_paid=True)
        await uow.dossiers.save_dossier(dossier)
        calendar = await working_calendar(uow, deps)
        for part in dossier.parts:
            if part.state is PartState.AWAITING_PAYMENT:
                part = receive(part, calendar, "payment", now)
                dossier = dossier.with_part(part)
                await uow.dossiers.save_part(part)
                notice(uow, dossier, part, now)
    return True


async def document_sent(
    uow: DossiersUnitOfWork, deps: Deps, event_id: str, agency_id: str, document_id: str
) -> None:
    async with uow:
        if not await uow.ledger.first_delivery(CONSUMER, event_id):
            return
        if document_id and agency_id:
            await uow.ledger.add_document(document_id[:64], agency_id[:64], deps.clock())
