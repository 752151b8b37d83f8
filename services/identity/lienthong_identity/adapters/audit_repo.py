"""The security audit trail in the database (append-only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from lienthong_runtime.paging import decode_keyset, encode_keyset

from ..domain.audit import AuditEvent, Outcome
from .tables import audit_events as t


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, event: AuditEvent) -> None:
        await self.session.execute(
            insert(t).values(
                id=event.id,
                time=event.time,
                action=event.action[:64],
                outcome=event.outcome.value,
                actor=event.actor[:100],
                agency_id=event.agency_id,
                target=event.target[:200],
                source_ip=event.source_ip[:64],
                reason=event.reason[:64],
                request_id=event.request_id[:128],
            )
        )

    async def page(
        self,
        *,
        agency_id: str | None,
        action: str,
        outcome: Outcome | None,
        start: datetime | None,
        end: datetime | None,
        size: int,
        token: str,
    ) -> tuple[list[AuditEvent], str]:
        """Newest first; ``agency_id`` None means every agency."""
        query = select(t).order_by(t.c.time.desc(), t.c.id.desc()).limit(size + 1)
        if agency_id is not None:
            query = query.where(t.c.agency_id == agency_id)
        if action:
            query = query.where(t.c.action == action)
        if outcome is not None:
            query = query.where(t.c.outcome == outcome.value)
        if start is not None:
            query = query.where(t.c.time >= start)
        if end is not None:
            query = query.where(t.c.time < end)
        after = decode_keyset("ListAuditEvents", token)
        if after:
            query = query.where(or_(t.c.time < after[0], and_(t.c.time == after[0], t.c.id < after[1])))
        rows = [_event(r) for r in (await self.session.execute(query)).all()]
        more = len(rows) > size
        rows = rows[:size]
        return rows, encode_keyset("ListAuditEvents", rows[-1].time, rows[-1].id) if more else ""


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        time=row.time,
        action=row.action,
        outcome=Outcome(row.outcome),
        actor=row.actor,
        agency_id=row.agency_id,
        target=row.target,
        source_ip=row.source_ip,
        reason=row.reason,
        request_id=row.request_id,
    )
