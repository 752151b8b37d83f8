"""Identity's own token verifier refuses what its database says is revoked, kept in the runtime's
:class:`RevocationState` (revoked tokens, suspended agencies, disabled clients, agencies resumed after a
suspension, revoked sessions). Handlers update it right after their commit; the housekeeping job reloads it from
the database so every instance converges within seconds. Other services learn the same from identity's events.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime.auth import RevocationState

from .agency_repo import AgencyRepository
from .client_repo import ClientRepository
from .token_repo import TokenRepository

#: Reloads re-read this much history, because commit order differs from the order rows were numbered.
_OVERLAP = timedelta(seconds=60)


class RevocationLoader:
    """Brings a :class:`RevocationState` up to date with the database."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        state: RevocationState,
        token_lifetime: timedelta,
    ) -> None:
        self.sessions = sessions
        self.state = state
        self.token_lifetime = token_lifetime
        self._since = datetime.fromtimestamp(0, UTC)

    async def reload(self) -> None:
        started = datetime.now(UTC)
        async with self.sessions() as session:
            agencies = await AgencyRepository(session).not_active()
            disabled = await ClientRepository(session).recently_disabled(started - self.token_lifetime)
            tokens = TokenRepository(session)
            revoked = await tokens.revoked_since(self._since, time.time())
            sessions = await tokens.session_revocations_since(self._since)
        for agency in agencies:
            if agency.suspended_at is not None:
                self.state.resume_agency(agency.id, not_before=agency.suspended_at.timestamp())
            if not agency.active:
                self.state.suspend_agency(agency.id)
        self.state.disabled_clients |= set(disabled)
        for row in revoked:
            self.state.revoke(row.token_id, row.expires_at)
        for row in sessions:
            self.state.revoke_sessions(row.subject, row.revoke_before)
        self._since = started - _OVERLAP
