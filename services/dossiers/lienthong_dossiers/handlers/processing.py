"""The agency's side: inbox, assign, request a supplement, approve, reject, return the result."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime

from lienthong_runtime.errors import FailedPrecondition, PermissionDenied, invalid
from lienthong_runtime.paging import decode_cursor, encode_cursor

from ..domain.calendar import WorkingCalendar, local_date
from ..domain.dossiers import (
    Dossier,
    DossierState,
    Part,
    PartState,
    apology_for,
    ask_supplement,
    complete,
    move,
)
from .context import Caller, Deps, notice, visible, working_calendar
from .ports import DossiersUnitOfWork, InboxQuery

INBOX_KIND = "dossiers.ListAgencyInbox"
#: What an agency's action does to its part (it may look something up first, hence awaitable).
Change = Callable[[Part, WorkingCalendar, datetime], Part | Awaitable[Part]]
MAX_REASON = 2000


def _text(value: str, field: str, *, required: bool = True, limit: int = MAX_REASON) -> str:
    value = value.strip()
    if (required and not value) or len(value) > limit or any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise invalid(field, f"{'required, ' if required else ''}at most {limit} printable characters")
    return value


async def get(uow: DossiersUnitOfWork, deps: Deps, caller: Caller, dossier_id: str) -> Dossier:
    async with uow:
        return await visible(uow, caller, dossier_id, "GetDossier", deps.clock())


async def inbox(
    uow: DossiersUnitOfWork, deps: Deps, caller: Caller, state: PartState | None, size: int, token: str
) -> tuple[Sequence[Dossier], str]:
    cursor = decode_cursor(INBOX_KIND, token, 2)
    after = (str(cursor[0]), str(cursor[1])) if cursor else None
    now = deps.clock()
    async with uow:
        officer = caller.actor if caller.officer else ""
        query = InboxQuery(caller.agency_id, state, after, size + 1, officer_id=officer)
        rows = list(await uow.dossiers.inbox(query))
        for d, _ in rows[:size]:
            await uow.dossiers.log_access(
                d.id, caller.kind, caller.actor, caller.agency_id, "ListAgencyInbox", now
            )
    more = len(rows) > size
    rows = rows[:size]
    token = ""
    if more:
        last = rows[-1][1]
        token = encode_cursor(INBOX_KIND, [last.due_date.isoformat() if last.due_date else "", last.id])
    return [d.seen_by_agency(caller.agency_id) for d, _ in rows], token


async def _act(
    uow: DossiersUnitOfWork, deps: Deps, caller: Caller, dossier_id: str, action: str, change: Change
) -> Dossier:
    """Apply ``change(part, calendar, now) -> Part`` to the caller's part, store it and tell the citizen."""
    now = deps.clock()
    async with uow:
        dossier = await visible(uow, caller, dossier_id, action, now, for_update=True)
        full = await uow.dossiers.get(dossier.id)
        assert full is not None
        part = dossier.part_of(caller.agency_id)
        if part.state is PartState.AWAITING_PAYMENT:
            raise FailedPrecondition("the fee of this dossier is not paid yet", reason="FEE_NOT_PAID")
        calendar = await working_calendar(uow, deps)
        changed = change(part, calendar, now)
        part = await changed if inspect.isawaitable(changed) else changed
        await uow.dossiers.save_part(part)
        apology = None
        if part.completed_at is not None and part.late_on(local_date(now)) and not part.apologies:
            # Completed after its deadline and the sweep had not apologised yet: the letter goes with the result.
            apology = apology_for(full, part, calendar, now)
            await uow.dossiers.add_apology(part, apology)
            part = replace(part, apologies=(apology,))
        full = full.with_part(part)
        if full.state is DossierState.COMPLETED and full.complete_time is None:
            full = replace(full, complete_time=now)
            await uow.dossiers.save_dossier(full)
        if apology is not None:
            notice(uow, full, part, now, apology=apology.text)
        notice(uow, full, part, now)
    return full.seen_by_agency(caller.agency_id)


async def assign(
    uow: DossiersUnitOfWork, deps: Deps, caller: Caller, dossier_id: str, officer: str
) -> Dossier:
    """The agency (its whole-inbox client) assigns its part to an officer: the officer id is the client id of the
    officer's own client, which then sees and acts on this part only. An officer cannot (re)assign."""
    officer = _text(officer, "officer_id", limit=64)
    if caller.officer:
        raise PermissionDenied(
            "only the agency's one-stop-shop client (dossiers.dossiers.process) assigns parts",
            reason="SCOPE_MISSING",
            metadata={"missing_scopes": "dossiers.dossiers.process"},
        )

    def change(part: Part, calendar: WorkingCalendar, now: datetime) -> Part:
        if part.state not in (PartState.RECEIVED, PartState.PROCESSING):
            raise FailedPrecondition(
                f"a part in {part.state.name} cannot be assigned", reason="STATE_TRANSITION_INVALID"
            )
        return replace(
            move(part, PartState.PROCESSING, caller.actor, now, f"assigned to {officer}"), officer_id=officer
        )

    return await _act(uow, deps, caller, dossier_id, "AssignDossier", change)


async def request_supplement(
    uow: DossiersUnitOfWork, deps: Deps, caller: Caller, dossier_id: str, reason: str
) -> Dossier:
    reason = _text(reason, "reason")
    return await _act(
        uow,
        deps,
        caller,
        dossier_id,
        "RequestSupplement",
        lambda part, calendar, now: ask_supplement(part, calendar, caller.actor, now, reason),
    )


async def approve(uow: DossiersUnitOfWork, deps: Deps, caller: Caller, dossier_id: str) -> Dossier:
    return await _act(
        uow,
        deps,
        caller,
        dossier_id,
        "ApproveDossier",
        lambda part, calendar, now: move(part, PartState.APPROVED, caller.actor, now),
    )


async def reject(
    uow: DossiersUnitOfWork, deps: Deps, caller: Caller, dossier_id: str, legal_reason: str
) -> Dossier:
    legal_reason = _text(legal_reason, "legal_reason")
    return await _act(
        uow,
        deps,
        caller,
        dossier_id,
        "RejectDossier",
        lambda part, calendar, now: complete(
            part, PartState.REJECTED, calendar, caller.actor, now, legal_reason
        ),
    )


async def return_result(
    uow: DossiersUnitOfWork, deps: Deps, caller: Caller, dossier_id: str, document_id: str
) -> Dossier:
    """The result is a document the agency sent through the documents block: dossiers knows it from documents'
    DocumentSent event, so a made-up id or another agency's document is refused (after the dossier check, so a
    stranger learns nothing about the dossier from the answer)."""
    document_id = _text(document_id, "result_document_id", limit=64)

    async def change(part: Part, calendar: WorkingCalendar, now: datetime) -> Part:
        if await uow.ledger.document_sender(document_id) != caller.agency_id:
            raise FailedPrecondition(
                "the result document is not one the calling agency sent through the documents block",
                reason="RESULT_DOCUMENT_UNKNOWN",
            )
        done = complete(part, PartState.RESULT_RETURNED, calendar, caller.actor, now)
        return replace(done, result_document_id=document_id)

    return await _act(uow, deps, caller, dossier_id, "ReturnResult", change)
