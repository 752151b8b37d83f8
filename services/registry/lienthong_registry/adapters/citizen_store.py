"""Citizen records and their versions in the database, sealed with the keyring and found by blind index."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from lienthong_runtime.errors import AlreadyExists

from ..domain.citizen import Citizen, VersionMeta, from_record, to_record
from ..domain.dates import from_us
from .crypto import CitizenIndex, Keyring
from .pg_reader import PgReader
from .tables import citizen_versions, citizens


def citizen_aad(pid_index: bytes) -> bytes:
    return b"citizen|" + pid_index


def version_aad(pid_index: bytes, version: int) -> bytes:
    return b"version|" + pid_index + b"|" + str(version).encode()


class CitizenStore:
    """Reads and writes sealed citizen rows; every method runs inside the caller's transaction."""

    def __init__(self, keyring: Keyring, index: CitizenIndex, reader: PgReader | None = None) -> None:
        self.keyring, self.index, self.reader = keyring, index, reader

    def rows(
        self, c: Citizen, actor: tuple[str, str], reason: str, changed: list[str], now_us: int
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Column values of the ``citizens`` row and the ``citizen_versions`` row for record ``c`` (version set).
        The record is serialised once and sealed twice, each ciphertext bound to its row by the AAD."""
        pid_index = self.index.personal_id(c.personal_id)
        record = json.dumps(to_record(c), ensure_ascii=False, separators=(",", ":"))
        key_id, blob = self.keyring.seal(record.encode(), citizen_aad(pid_index))
        versioned = f'{{"record":{record},"legal_reason":{json.dumps(reason, ensure_ascii=False)}}}'
        version_key, sealed = self.keyring.seal(versioned.encode(), version_aad(pid_index, c.version))
        birth = c.date_of_birth.isoformat() if c.date_of_birth else ""
        province = c.permanent_address.province_code if c.permanent_address else ""
        citizen_row = {
            "pid_index": pid_index,
            "version": c.version,
            "key_id": key_id,
            "record": blob,
            "search_index": self.index.name_birth(c.full_name, birth),
            "search_province_index": self.index.name_birth(c.full_name, birth, province),
            "household_index": self.index.household(c.household_id) if c.household_id else None,
            "household_rank": int(c.household_relation),
            "updated_us": now_us,
        }
        version_row = {
            "pid_index": pid_index,
            "version": c.version,
            "created_us": now_us,
            "actor_agency_id": actor[0],
            "actor_client_id": actor[1],
            "changed_fields": " ".join(changed),
            "key_id": version_key,
            "sealed": sealed,
        }
        return citizen_row, version_row

    def _citizen(self, row: Any) -> Citizen:
        """A record from a row (SQLAlchemy row mapping or asyncpg record: both index by column name)."""
        data: Any = self.keyring.open_json(row["key_id"], row["record"], citizen_aad(row["pid_index"]))
        return from_record(
            data,
            version=row["version"],
            create_time=from_us(row["created_us"]),
            update_time=from_us(row["updated_us"]),
        )

    async def get(self, conn: AsyncSession | AsyncConnection, personal_id: str) -> Citizen | None:
        """The record, read on the caller's connection (inside a transaction when it is one)."""
        pid_index = self.index.personal_id(personal_id)
        row = (await conn.execute(select(citizens).where(citizens.c.pid_index == pid_index))).first()
        return self._citizen(row._mapping) if row else None

    async def find(
        self, reading: Callable[[], Any], personal_id: str, *, reader: PgReader | None = None
    ) -> Citizen | None:
        """The record for a read outside a transaction: through the asyncpg reader on PostgreSQL (``reader``, a
        standby's, or the primary's), else on a connection from ``reading()``."""
        reader = reader or self.reader
        if reader is None:
            async with reading() as conn:
                return await self.get(conn, personal_id)
        record = await reader.citizen_row(self.index.personal_id(personal_id))
        return self._citizen(record) if record else None

    async def insert(
        self,
        session: AsyncSession,
        c: Citizen,
        actor: tuple[str, str],
        reason: str,
        changed: list[str],
        now_us: int,
    ) -> None:
        citizen_row, version_row = self.rows(c, actor, reason, changed, now_us)
        try:
            async with session.begin_nested():
                await session.execute(insert(citizens).values(**citizen_row, created_us=now_us))
        except IntegrityError:
            raise AlreadyExists(
                "a citizen with this personal ID is already registered", reason="CITIZEN_EXISTS"
            ) from None
        await session.execute(insert(citizen_versions).values(**version_row))

    async def update(
        self,
        session: AsyncSession,
        c: Citizen,
        expected_version: int,
        actor: tuple[str, str],
        reason: str,
        changed: list[str],
        now_us: int,
    ) -> bool:
        """Write version ``c.version`` only if the stored one is still ``expected_version`` (atomic check)."""
        values, version_row = self.rows(c, actor, reason, changed, now_us)
        result = await session.execute(
            update(citizens)
            .where(citizens.c.pid_index == values.pop("pid_index"), citizens.c.version == expected_version)
            .values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        await session.execute(insert(citizen_versions).values(**version_row))
        return True

    async def household(
        self,
        session: AsyncSession | AsyncConnection,
        household_id: str,
        after: tuple[int, bytes] | None,
        limit: int,
    ) -> list[tuple[Citizen, tuple[int, bytes]]]:
        """Members, head first (by relation, then by index), after the ``(rank, pid_index)`` cursor."""
        query = select(citizens).where(citizens.c.household_index == self.index.household(household_id))
        if after is not None:
            query = query.where(
                or_(
                    citizens.c.household_rank > after[0],
                    and_(citizens.c.household_rank == after[0], citizens.c.pid_index > after[1]),
                )
            )
        query = query.order_by(citizens.c.household_rank, citizens.c.pid_index).limit(limit)
        rows = (await session.execute(query)).all()
        return [(self._citizen(r._mapping), (r.household_rank, r.pid_index)) for r in rows]

    async def search(
        self,
        session: AsyncSession | AsyncConnection,
        full_name: str,
        birth_iso: str,
        province: str,
        after: bytes | None,
        limit: int,
    ) -> list[tuple[Citizen, bytes]]:
        # Name + date of birth matches are few, so the province digest is filtered, not indexed (one index less
        # to maintain on every insert).
        query = select(citizens).where(citizens.c.search_index == self.index.name_birth(full_name, birth_iso))
        if province:
            query = query.where(
                citizens.c.search_province_index == self.index.name_birth(full_name, birth_iso, province)
            )
        if after is not None:
            query = query.where(citizens.c.pid_index > after)
        rows = (await session.execute(query.order_by(citizens.c.pid_index).limit(limit))).all()
        return [(self._citizen(r._mapping), r.pid_index) for r in rows]

    async def history(
        self, session: AsyncSession | AsyncConnection, personal_id: str, before: int | None, limit: int
    ) -> list[tuple[Citizen, VersionMeta]]:
        pid_index = self.index.personal_id(personal_id)
        query = select(citizen_versions).where(citizen_versions.c.pid_index == pid_index)
        if before is not None:
            query = query.where(citizen_versions.c.version < before)
        rows = (await session.execute(query.order_by(citizen_versions.c.version.desc()).limit(limit))).all()
        out = []
        for r in rows:
            data: Any = self.keyring.open_json(r.key_id, r.sealed, version_aad(pid_index, r.version))
            when = from_us(r.created_us)
            out.append(
                (
                    from_record(data["record"], version=r.version, update_time=when),
                    VersionMeta(
                        r.version,
                        when,
                        r.actor_agency_id,
                        r.actor_client_id,
                        data["legal_reason"],
                        r.changed_fields.split(),
                    ),
                )
            )
        return out
