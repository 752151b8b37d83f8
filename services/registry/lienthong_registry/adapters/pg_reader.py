"""The by-personal-ID read on a bare asyncpg pool (``lienthong_runtime.pg_pool``): no SQLAlchemy checkout and no
reset round trip when a connection goes back (it only ever runs one autocommit SELECT, so there is no session
state to clear). About 100 us of CPU less per read than a pooled SQLAlchemy connection."""

from __future__ import annotations

from typing import Any

from lienthong_runtime.pg_pool import PgPool

BY_INDEX = (
    "SELECT pid_index, version, key_id, record, created_us, updated_us FROM citizens WHERE pid_index = $1"
)


class PgReader(PgPool):
    """The runtime's lazy pool plus registry's one query. ``connect_timeout`` bounds a connection attempt
    (replicas use a short one, so that a standby that went away is noticed quickly)."""

    async def citizen_row(self, pid_index: bytes) -> Any:
        return await self.fetchrow(BY_INDEX, pid_index)
