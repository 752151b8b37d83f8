"""Login throttling counters in the database (keys are hashes, never a personal ID or address in clear)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.throttle import ThrottleState
from .tables import login_throttle as t


class ThrottleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: str) -> ThrottleState:
        row = (await self.session.execute(select(t).where(t.c.key == key))).first()
        if row is None:
            return ThrottleState(key, 0, 0.0, 0.0)
        return ThrottleState(key, row.failures, row.next_allowed_at, row.last_failure_at)

    async def claim(self, state: ThrottleState, hold_until: float) -> bool:
        """Take the next attempt slot: move ``next_allowed_at`` to ``hold_until`` if nobody else did since
        ``state`` was read (so parallel guesses cannot all pass the same open slot)."""
        if state.failures == 0 and state.next_allowed_at == 0.0:
            return True
        result = await self.session.execute(
            update(t)
            .where(
                t.c.key == state.key,
                t.c.next_allowed_at == state.next_allowed_at,
            )
            .values(next_allowed_at=hold_until)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def put(self, state: ThrottleState) -> None:
        values = {
            "failures": state.failures,
            "next_allowed_at": state.next_allowed_at,
            "last_failure_at": state.last_failure_at,
        }
        result = await self.session.execute(update(t).where(t.c.key == state.key).values(**values))
        if not result.rowcount:  # type: ignore[attr-defined]
            try:
                async with self.session.begin_nested():
                    await self.session.execute(insert(t).values(key=state.key, **values))
            except IntegrityError:
                await self.session.execute(update(t).where(t.c.key == state.key).values(**values))

    async def reset(self, key: str) -> None:
        await self.session.execute(delete(t).where(t.c.key == key))
