"""identity's agencies in documents' database, kept by identity's events (see ``handlers/identity_events.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.directory import KnownAgency, newer
from .tables import identity_agencies as t


def _from_row(row: Any) -> KnownAgency:
    return KnownAgency(
        row.agency_id, row.display_name, row.kind, row.province_code, row.suspended, row.state_time
    )


class IdentityAgencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, agency_id: str, *, for_update: bool = False) -> KnownAgency | None:
        stmt = select(t).where(t.c.agency_id == agency_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        return _from_row(row) if row else None

    async def created(self, agency_id: str, name: str, kind: str, province: str, now: datetime) -> None:
        """Record (or complete, after a suspension that overtook it) an AgencyCreated."""
        values = {
            "display_name": name[:200],
            "kind": kind[:64],
            "province_code": province[:4],
            "updated_at": now,
        }
        if await self.get(agency_id, for_update=True) is None:
            await self.session.execute(
                insert(t).values(agency_id=agency_id, suspended=False, state_time=None, **values)
            )
        else:
            await self.session.execute(update(t).where(t.c.agency_id == agency_id).values(**values))

    async def suspension(self, agency_id: str, suspended: bool, at: datetime, now: datetime) -> bool:
        """Apply a suspension (``suspended``) or resumption at ``at``; False when a newer state is already kept."""
        known = await self.get(agency_id, for_update=True)
        if known is None:  # it overtook AgencyCreated: the agency exists, its name comes with that event
            await self.session.execute(
                insert(t).values(
                    agency_id=agency_id,
                    display_name="",
                    kind="",
                    province_code="",
                    suspended=suspended,
                    state_time=at,
                    updated_at=now,
                )
            )
            return True
        if not newer(known.state_time, at):
            return False
        await self.session.execute(
            update(t)
            .where(t.c.agency_id == agency_id)
            .values(suspended=suspended, state_time=at, updated_at=now)
        )
        return True
