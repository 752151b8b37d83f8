"""The agency directory in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.directory import DirectoryAgency, fold
from ..domain.documents import DuplicateKey
from ..domain.signatures import ReceivePolicy
from .tables import directory as t
from .tables import identity_agencies as ia

# Each entry with identity's suspension of its agency (an entry whose agency no event has named yet, e.g.
# registered before documents followed identity, is not suspended).
_SUSPENDED = func.coalesce(ia.c.suspended, false()).label("suspended")


def _select() -> Select[Any]:
    return select(t, _SUSPENDED).select_from(t.outerjoin(ia, ia.c.agency_id == t.c.agency_id))


def _from_row(row: Any) -> DirectoryAgency:
    return DirectoryAgency(
        code=row.code,
        agency_id=row.agency_id,
        display_name=row.display_name,
        province_code=row.province_code,
        policy=ReceivePolicy(row.refuse_unsigned, row.refuse_invalid_signature),
        notification_email=row.notification_email,
        created_at=row.created_at,
        suspended=bool(row.suspended),
    )


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, agency: DirectoryAgency) -> None:
        try:
            await self.session.execute(
                insert(t).values(
                    code=agency.code,
                    agency_id=agency.agency_id,
                    display_name=agency.display_name,
                    search_name=agency.search_name,
                    province_code=agency.province_code,
                    refuse_unsigned=agency.policy.refuse_unsigned,
                    refuse_invalid_signature=agency.policy.refuse_invalid_signature,
                    notification_email=agency.notification_email,
                    created_at=agency.created_at,
                )
            )
        except IntegrityError:  # a concurrent registration of the same code or agency won
            raise DuplicateKey("directory") from None

    async def set_policy(self, agency_id: str, policy: ReceivePolicy, email: str) -> None:
        await self.session.execute(
            update(t)
            .where(t.c.agency_id == agency_id)
            .values(
                refuse_unsigned=policy.refuse_unsigned,
                refuse_invalid_signature=policy.refuse_invalid_signature,
                notification_email=email,
            )
        )

    async def by_code(self, code: str) -> DirectoryAgency | None:
        row = (await self.session.execute(_select().where(t.c.code == code))).first()
        return _from_row(row) if row else None

    async def by_agency_or_codes(self, agency_id: str, codes: list[str]) -> list[DirectoryAgency]:
        """The entries of ``agency_id`` and of ``codes``, in one query (a sender and its recipients)."""
        stmt = _select().where(or_(t.c.agency_id == agency_id, t.c.code.in_(codes)))
        return [_from_row(row) for row in (await self.session.execute(stmt)).all()]

    async def by_agency(self, agency_id: str) -> DirectoryAgency | None:
        row = (await self.session.execute(_select().where(t.c.agency_id == agency_id))).first()
        return _from_row(row) if row else None

    async def search(
        self, query: str, code_prefix: str, province: str, size: int, after: str
    ) -> list[DirectoryAgency]:
        """Up to ``size + 1`` entries ordered by code, after the code ``after``."""
        stmt = _select().order_by(t.c.code).limit(size + 1)
        for word in fold(query).split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(t.c.search_name.like(f"%{escaped}%", escape="\\"))
        if code_prefix:
            escaped = code_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(t.c.code.like(f"{escaped}%", escape="\\"))
        if province:
            stmt = stmt.where(t.c.province_code == province)
        if after:
            stmt = stmt.where(t.c.code > after)
        return [_from_row(r) for r in (await self.session.execute(stmt)).all()]
