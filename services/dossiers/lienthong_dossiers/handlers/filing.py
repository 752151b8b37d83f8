"""The citizen's side: file a dossier, read their own, supply what an agency asked for."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from lienthong_runtime.errors import AlreadyExists, FailedPrecondition, NotFound, invalid
from lienthong_runtime.paging import decode_keyset, encode_keyset

from ..domain.calendar import local_date
from ..domain.dossiers import Dossier, HistoryEntry, Part, PartState, receive, supplied
from ..domain.procedures import check_code, check_form
from .attachments import check_owned
from .context import Caller, Deps, notice, visible, working_calendar
from .ports import DossiersUnitOfWork

LIST_KIND = "dossiers.ListMyDossiers"


def _request_hash(code: str, form: Mapping[str, str]) -> str:
    raw = json.dumps([code, sorted(form.items())], ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()


async def file(
    uow: DossiersUnitOfWork,
    deps: Deps,
    caller: Caller,
    procedure_code: str,
    form: Mapping[str, str],
    key: str,
) -> Dossier:
    """File a dossier under the procedure's current version; parts are received at once unless a fee must be
    paid first (then they wait for payment's PaymentSucceeded)."""
    key = key.strip()
    if not 1 <= len(key) <= 255:
        raise invalid("idempotency_key", "1 to 255 characters are required")
    code = check_code(procedure_code)
    digest = _request_hash(code, form)
    now = deps.clock()
    async with uow:
        earlier = await uow.dossiers.by_idempotency_key(caller.pid, key)
        if earlier is not None:
            if earlier.request_hash != digest:
                raise AlreadyExists(
                    "this idempotency key was used for another filing", reason="IDEMPOTENCY_KEY_REUSED"
                )
            return earlier
        procedure = await uow.procedures.get(code)
        if procedure is None:
            raise NotFound("no such procedure", reason="PROCEDURE_NOT_FOUND")
        spec = procedure.spec
        clean = check_form(spec, form)
        await check_owned(uow, caller, spec, clean)
        calendar = await working_calendar(uow, deps)
        dossier_code = deps.new_code(local_date(now).year)
        while await uow.dossiers.code_taken(dossier_code):
            dossier_code = deps.new_code(local_date(now).year)
        dossier_id = deps.new_id()
        waits = spec.fee_before_processing and spec.fee_vnd > 0
        parts = []
        for seq, p in enumerate(spec.parts):
            part = Part(
                deps.new_id(),
                dossier_id,
                seq,
                p.agency_id,
                p.title,
                p.working_days,
                PartState.AWAITING_PAYMENT,
                code,
            )
            if waits:
                part = replace(part, history=(_filed(part, now),))
            else:
                part = receive(replace(part), calendar, "citizen", now)
            parts.append(part)
        dossier = Dossier(
            dossier_id,
            dossier_code,
            code,
            procedure.version,
            spec.name,
            caller.pid,
            clean,
            spec.fee_vnd,
            procedure.agency_id,
            dossier_code if spec.fee_vnd else "",
            False,
            now,
            tuple(parts),
            idempotency_key=key,
            request_hash=digest,
        )
        await uow.dossiers.add(dossier)
        for part in dossier.parts:
            notice(uow, dossier, part, now)
    return dossier


def _filed(part: Part, now: datetime) -> HistoryEntry:
    return HistoryEntry(PartState.AWAITING_PAYMENT, "citizen", part.agency_id, now)


async def get_mine(uow: DossiersUnitOfWork, deps: Deps, caller: Caller, dossier_id: str) -> Dossier:
    async with uow:
        return await visible(uow, caller, dossier_id, "GetMyDossier", deps.clock())


async def list_mine(
    uow: DossiersUnitOfWork, deps: Deps, caller: Caller, size: int, token: str
) -> tuple[Sequence[Dossier], str]:
    after = decode_keyset(LIST_KIND, token)
    now = deps.clock()
    async with uow:
        rows = list(await uow.dossiers.of_citizen(caller.pid, after, size + 1))
        for d in rows[:size]:
            await uow.dossiers.log_access(d.id, "citizen", "citizen", "", "ListMyDossiers", now)
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode_keyset(LIST_KIND, rows[-1].file_time, rows[-1].id) if more else ""


async def supply(
    uow: DossiersUnitOfWork, deps: Deps, caller: Caller, dossier_id: str, form: Mapping[str, str]
) -> Dossier:
    """Add or replace form values; every part awaiting a supplement resumes its clock."""
    now = deps.clock()
    async with uow:
        dossier = await visible(uow, caller, dossier_id, "SupplyDossier", now, for_update=True)
        waiting = [p for p in dossier.parts if p.state is PartState.AWAITING_SUPPLEMENT]
        if not waiting:
            raise FailedPrecondition(
                "no part of this dossier awaits a supplement", reason="NOT_AWAITING_SUPPLEMENT"
            )
        procedure = await uow.procedures.get(dossier.procedure_code, dossier.procedure_version)
        assert procedure is not None
        added = check_form(procedure.spec, form, partial=True)
        await check_owned(uow, caller, procedure.spec, added)
        merged = {**dossier.form, **added}
        dossier = replace(dossier, form=merged)
        await uow.dossiers.save_dossier(dossier)
        calendar = await working_calendar(uow, deps)
        for part in waiting:
            part = supplied(part, calendar, now)
            dossier = dossier.with_part(part)
            await uow.dossiers.save_part(part)
            notice(uow, dossier, part, now)
    return dossier
