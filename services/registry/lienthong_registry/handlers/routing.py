"""Where a purpose-bound read runs: a fresh hot standby when replicas are configured, else the primary
(``adapters/replicas.py`` decides which, and falls back to the primary when a standby fails)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..adapters.replicas import Standby, caller_key, on_standby
from ..domain.citizen import Citizen
from .context import Caller, Registry

T = TypeVar("T")


async def find_citizen(reg: Registry, caller: Caller, personal_id: str) -> Citizen | None:
    """The record by personal ID, for a read outside a transaction."""

    async def standby(s: Standby) -> Citizen | None:
        return await reg.citizens.find(reg.reading, personal_id, reader=s.reader)

    return await on_standby(  # type: ignore[no-any-return]
        reg.replicas,
        caller_key(caller.agency_id, caller.client_id),
        standby,
        lambda: reg.citizens.find(reg.reading, personal_id),
    )


async def read_on(reg: Registry, caller: Caller, query: Callable[[Any], Awaitable[T]]) -> T:
    """``await query(connection)`` on a standby's or the primary's read connection."""

    async def standby(s: Standby) -> T:
        async with s.engine.connect() as conn:
            return await query(conn)

    async def primary() -> T:
        async with reg.reading() as conn:
            return await query(conn)

    return await on_standby(  # type: ignore[no-any-return]
        reg.replicas, caller_key(caller.agency_id, caller.client_id), standby, primary
    )
