"""Dossiers in SQL: the dossier row (citizen and form sealed), its parts, their history and apology letters."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lienthong_runtime.crypto import BlindIndex, Keyring
from lienthong_runtime.errors import Aborted

from ..domain.dossiers import Apology, Dossier, HistoryEntry, Part, PartState
from ..handlers.ports import DossierRepository, InboxQuery
from .dossier_rows import part_of, part_values
from .tables import access_log, apologies, dossiers, history, parts

OPEN = [s.name for s in (PartState.RECEIVED, PartState.PROCESSING, PartState.APPROVED)]


class SqlDossierRepository(DossierRepository):
    def __init__(self, session: AsyncSession, keyring: Keyring, index: BlindIndex) -> None:
        self.session = session
        self.keyring = keyring
        self.index = index
        #: History rows already stored per part, so save_part inserts only the new ones.
        self._stored: dict[str, int] = {}

    def _key(self, pid: str) -> bytes:
        return self.index.digest("citizen", pid)

    async def add(self, dossier: Dossier) -> None:
        aad = dossier.id.encode()
        citizen_kid, citizen_blob = self.keyring.seal_text(dossier.citizen_pid, aad + b"|citizen")
        form_kid, form_blob = self.keyring.seal_text(
            json.dumps(dossier.form, ensure_ascii=False), aad + b"|form"
        )
        try:
            async with self.session.begin_nested():
                await self._insert(dossier, citizen_kid, citizen_blob, form_kid, form_blob)
        except IntegrityError:
            # Two filings with one idempotency key at once (or a code drawn twice): the retry finds the winner.
            raise Aborted(
                "a concurrent filing conflicted with this one; retry", reason="FILING_CONFLICT"
            ) from None
        await self.session.execute(
            parts.insert(),
            [
                {
                    "id": p.id,
                    "dossier_id": p.dossier_id,
                    "seq": p.seq,
                    "agency_id": p.agency_id,
                    "procedure_code": p.procedure_code,
                    "title": p.title,
                    "working_days": p.working_days,
                    **part_values(p),
                }
                for p in dossier.parts
            ],
        )
        for p in dossier.parts:
            await self._add_history(p)

    async def _insert(
        self, dossier: Dossier, citizen_kid: str, citizen_blob: bytes, form_kid: str, form_blob: bytes
    ) -> None:
        await self.session.execute(
            dossiers.insert().values(
                id=dossier.id,
                code=dossier.code,
                procedure_code=dossier.procedure_code,
                procedure_version=dossier.procedure_version,
                procedure_name=dossier.procedure_name,
                citizen_key=self._key(dossier.citizen_pid),
                citizen_kid=citizen_kid,
                citizen_blob=citizen_blob,
                form_kid=form_kid,
                form_blob=form_blob,
                fee_vnd=dossier.fee_vnd,
                fee_agency_id=dossier.fee_agency_id,
                payment_reference=dossier.payment_reference,
                fee_paid=dossier.fee_paid,
                idempotency_key=dossier.idempotency_key,
                request_hash=dossier.request_hash,
                file_time=dossier.file_time,
                complete_time=dossier.complete_time,
            )
        )

    async def _add_history(self, part: Part) -> None:
        new = part.history[self._stored.get(part.id, 0) :]
        if new:
            await self.session.execute(
                history.insert(),
                [
                    {
                        "part_id": part.id,
                        "dossier_id": part.dossier_id,
                        "state": h.state.name,
                        "actor": h.actor[:64],
                        "agency_id": h.agency_id,
                        "time": h.time,
                        "reason": h.reason,
                    }
                    for h in new
                ],
            )
        self._stored[part.id] = len(part.history)

    async def save_part(self, part: Part) -> None:
        await self.session.execute(update(parts).where(parts.c.id == part.id).values(**part_values(part)))
        await self._add_history(part)

    async def save_dossier(self, dossier: Dossier) -> None:
        form_kid, form_blob = self.keyring.seal_text(
            json.dumps(dossier.form, ensure_ascii=False), dossier.id.encode() + b"|form"
        )
        await self.session.execute(
            update(dossiers)
            .where(dossiers.c.id == dossier.id)
            .values(
                form_kid=form_kid,
                form_blob=form_blob,
                fee_paid=dossier.fee_paid,
                complete_time=dossier.complete_time,
            )
        )

    async def add_apology(self, part: Part, apology: Apology) -> None:
        await self.session.execute(
            apologies.insert().values(
                part_id=part.id,
                dossier_id=part.dossier_id,
                text=apology.text,
                issued_at=apology.time,
                new_appointment_date=apology.new_date,
            )
        )
        await self.session.execute(update(parts).where(parts.c.id == part.id).values(apologised=True))

    async def _load(self, rows: Sequence[Any]) -> list[Dossier]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        part_rows = (
            await self.session.execute(
                select(parts).where(parts.c.dossier_id.in_(ids)).order_by(parts.c.dossier_id, parts.c.seq)
            )
        ).all()
        part_ids = [p.id for p in part_rows]
        entries: dict[str, list[HistoryEntry]] = {}
        letters: dict[str, list[Apology]] = {}
        if part_ids:
            for h in (
                await self.session.execute(
                    select(history).where(history.c.part_id.in_(part_ids)).order_by(history.c.id)
                )
            ).all():
                entries.setdefault(h.part_id, []).append(
                    HistoryEntry(PartState[h.state], h.actor, h.agency_id, h.time, h.reason)
                )
            for a in (
                await self.session.execute(
                    select(apologies).where(apologies.c.part_id.in_(part_ids)).order_by(apologies.c.id)
                )
            ).all():
                letters.setdefault(a.part_id, []).append(Apology(a.text, a.issued_at, a.new_appointment_date))
        by_dossier: dict[str, list[Part]] = {}
        for p in part_rows:
            steps = tuple(entries.get(p.id, ()))
            self._stored[p.id] = len(steps)
            by_dossier.setdefault(p.dossier_id, []).append(part_of(p, steps, tuple(letters.get(p.id, ()))))
        out = []
        for r in rows:
            aad = r.id.encode()
            out.append(
                Dossier(
                    r.id,
                    r.code,
                    r.procedure_code,
                    r.procedure_version,
                    r.procedure_name,
                    self.keyring.open_text(r.citizen_kid, r.citizen_blob, aad + b"|citizen"),
                    json.loads(self.keyring.open_text(r.form_kid, r.form_blob, aad + b"|form")),
                    r.fee_vnd,
                    r.fee_agency_id,
                    r.payment_reference,
                    r.fee_paid,
                    r.file_time,
                    tuple(by_dossier.get(r.id, ())),
                    r.complete_time,
                    r.idempotency_key,
                    r.request_hash,
                )
            )
        return out

    async def get(self, dossier_id: str, *, for_update: bool = False) -> Dossier | None:
        query = select(dossiers).where(dossiers.c.id == dossier_id)
        if for_update:
            query = query.with_for_update()
        found = await self._load((await self.session.execute(query)).all())
        return found[0] if found else None

    async def by_idempotency_key(self, citizen_pid: str, key: str) -> Dossier | None:
        query = select(dossiers).where(
            dossiers.c.citizen_key == self._key(citizen_pid), dossiers.c.idempotency_key == key
        )
        found = await self._load((await self.session.execute(query)).all())
        return found[0] if found else None

    async def by_payment_reference(self, reference: str) -> Dossier | None:
        query = select(dossiers).where(dossiers.c.payment_reference == reference).with_for_update()
        found = await self._load((await self.session.execute(query)).all())
        return found[0] if found else None

    async def code_taken(self, code: str) -> bool:
        return (
            await self.session.execute(select(dossiers.c.id).where(dossiers.c.code == code))
        ).first() is not None

    async def of_citizen(
        self, citizen_pid: str, after: tuple[datetime, str] | None, limit: int
    ) -> Sequence[Dossier]:
        query = select(dossiers).where(dossiers.c.citizen_key == self._key(citizen_pid))
        if after is not None:
            query = query.where(tuple_(dossiers.c.file_time, dossiers.c.id) < tuple_(*after))
        query = query.order_by(dossiers.c.file_time.desc(), dossiers.c.id.desc()).limit(limit)
        return await self._load((await self.session.execute(query)).all())

    async def inbox(self, query: InboxQuery) -> Sequence[tuple[Dossier, Part]]:
        # Parts without a deadline (awaiting payment) sort last: their key is the far future.
        due = func.coalesce(parts.c.due_date, date(9999, 12, 31))
        q = select(parts.c.id, parts.c.dossier_id, due.label("due")).where(
            parts.c.agency_id == query.agency_id
        )
        if query.state is not None:
            q = q.where(parts.c.state == query.state.name)
        if query.officer_id:
            q = q.where(parts.c.officer_id == query.officer_id)
        if query.after is not None:
            after_due = date.fromisoformat(query.after[0]) if query.after[0] else date(9999, 12, 31)
            q = q.where(or_(due > after_due, and_(due == after_due, parts.c.id > query.after[1])))
        found = (await self.session.execute(q.order_by(due, parts.c.id).limit(query.limit))).all()
        loaded = {
            d.id: d
            for d in await self._load(
                (
                    await self.session.execute(
                        select(dossiers).where(dossiers.c.id.in_([f.dossier_id for f in found]))
                    )
                ).all()
            )
        }
        out = []
        for f in found:
            d = loaded[f.dossier_id]
            out.append((d, next(p for p in d.parts if p.id == f.id)))
        return out

    async def overdue_without_apology(self, today: date, limit: int) -> Sequence[str]:
        q = (
            select(parts.c.dossier_id)
            .where(parts.c.state.in_(OPEN), parts.c.due_date < today, parts.c.apologised.is_(False))
            .distinct()
            .limit(limit)
        )
        return [r.dossier_id for r in (await self.session.execute(q)).all()]

    async def open_late_by_agency(self, today: date) -> dict[str, int]:
        q = (
            select(parts.c.agency_id, func.count())
            .where(parts.c.state.in_(OPEN), parts.c.due_date < today)
            .group_by(parts.c.agency_id)
        )
        return {agency: int(n) for agency, n in (await self.session.execute(q)).all()}

    async def log_access(
        self, dossier_id: str, actor_kind: str, actor: str, agency_id: str, action: str, now: datetime
    ) -> None:
        await self.session.execute(
            access_log.insert().values(
                dossier_id=dossier_id,
                actor_kind=actor_kind,
                actor=actor[:64],
                agency_id=agency_id,
                action=action,
                time=now,
            )
        )

    async def access_count(self, dossier_id: str) -> int:
        q = select(func.count()).select_from(access_log).where(access_log.c.dossier_id == dossier_id)
        return int((await self.session.execute(q)).scalar_one())
