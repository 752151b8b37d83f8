"""The operator's calendar days, and what other blocks' events told dossiers (processed ids, result documents)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from lienthong_runtime.events import first_delivery

from ..handlers.ports import CalendarRepository, EventLedger
from .tables import calendar_days, known_documents, processed_events


class SqlCalendarRepository(CalendarRepository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def days(self) -> tuple[frozenset[date], frozenset[date]]:
        rows = (await self.session.execute(select(calendar_days.c.day, calendar_days.c.kind))).all()
        return (
            frozenset(r.day for r in rows if r.kind == "working"),
            frozenset(r.day for r in rows if r.kind == "off"),
        )

    async def replace_year(self, year: int, working: Sequence[date], off: Sequence[date]) -> None:
        await self.session.execute(delete(calendar_days).where(calendar_days.c.year == year))
        values = [{"day": d, "year": year, "kind": "working"} for d in working]
        values += [{"day": d, "year": year, "kind": "off"} for d in off]
        if values:
            await self.session.execute(calendar_days.insert(), values)


class SqlEventLedger(EventLedger):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_delivery(self, consumer: str, event_id: str) -> bool:
        return await first_delivery(self.session, processed_events, consumer, event_id)

    async def add_document(self, document_id: str, sender_agency_id: str, now: datetime) -> None:
        if await self.document_sender(document_id) is None:
            await self.session.execute(
                known_documents.insert().values(
                    document_id=document_id, sender_agency_id=sender_agency_id, recorded_at=now
                )
            )

    async def document_sender(self, document_id: str) -> str | None:
        row = (
            await self.session.execute(
                select(known_documents.c.sender_agency_id).where(known_documents.c.document_id == document_id)
            )
        ).first()
        return row.sender_agency_id if row else None
