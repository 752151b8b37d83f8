"""Column types every service's tables need on both PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, TypeDecorator
from sqlalchemy.types import DateTime


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both PostgreSQL and SQLite (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: An auto-increment 64-bit key (SQLite only auto-increments an INTEGER PRIMARY KEY).
Seq = BigInteger().with_variant(Integer, "sqlite")
