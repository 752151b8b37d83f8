"""Agencies in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lienthong_runtime.paging import decode_keyset, encode_keyset

from ..domain.agencies import Agency, AgencyKind, AgencyState
from .tables import agencies as t


def agency_from_row(row: Any) -> Agency:
    return Agency(
        id=row.id,
        display_name=row.display_name,
        kind=AgencyKind(row.kind),
        province_code=row.province_code,
        state=AgencyState(row.state),
        allowed_scopes=frozenset(row.allowed_scopes.split()),
        created_at=row.created_at,
        updated_at=row.updated_at,
        suspend_reason=row.suspend_reason,
        suspended_at=row.suspended_at,
        resumed_at=row.resumed_at,
    )


def _values(agency: Agency) -> dict[str, Any]:
    return {
        "display_name": agency.display_name,
        "kind": agency.kind.value,
        "province_code": agency.province_code,
        "state": agency.state.value,
        "allowed_scopes": " ".join(sorted(agency.allowed_scopes)),
        "suspend_reason": agency.suspend_reason,
        "created_at": agency.created_at,
        "updated_at": agency.updated_at,
        "suspended_at": agency.suspended_at,
        "resumed_at": agency.resumed_at,
    }


class AgencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, agency: Agency) -> None:
        await self.session.execute(insert(t).values(id=agency.id, **_values(agency)))

    async def save(self, agency: Agency) -> None:
        await self.session.execute(update(t).where(t.c.id == agency.id).values(**_values(agency)))

    async def get(self, agency_id: str, *, for_update: bool = False) -> Agency | None:
        query = select(t).where(t.c.id == agency_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return agency_from_row(row) if row else None

    async def page(self, state: AgencyState | None, size: int, token: str) -> tuple[list[Agency], str]:
        query = select(t).order_by(t.c.created_at, t.c.id).limit(size + 1)
        if state is not None:
            query = query.where(t.c.state == state.value)
        after = decode_keyset("ListAgencies", token)
        if after:
            query = query.where(
                or_(t.c.created_at > after[0], and_(t.c.created_at == after[0], t.c.id > after[1]))
            )
        rows = [agency_from_row(r) for r in (await self.session.execute(query)).all()]
        more = len(rows) > size
        rows = rows[:size]
        return rows, encode_keyset("ListAgencies", rows[-1].created_at, rows[-1].id) if more else ""

    async def names(self, agency_ids: list[str]) -> dict[str, str]:
        """Display names of the given agencies that exist, by id."""
        query = select(t.c.id, t.c.display_name).where(t.c.id.in_(agency_ids))
        return {r.id: r.display_name for r in (await self.session.execute(query)).all()}

    async def not_active(self) -> list[Agency]:
        """Agencies ever suspended (a resumed agency's tokens from before its suspension stay dead)."""
        query = select(t).where(or_(t.c.state != AgencyState.ACTIVE.value, t.c.suspended_at.is_not(None)))
        return [agency_from_row(r) for r in (await self.session.execute(query)).all()]
