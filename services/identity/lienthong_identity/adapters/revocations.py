"""What identity's own token verifier must refuse beyond signature and expiry, kept in memory.

Extends the runtime's :class:`RevocationState` (revoked token ids, suspended agencies) with what identity knows
first-hand: disabled clients, agencies resumed after a suspension (their older tokens stay dead) and revoked
sessions of a subject (password change, refresh-token reuse). Handlers update it right after their commit; the
housekeeping job reloads it from the database so every instance converges within seconds.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime.auth import Principal, RevocationState
from lienthong_runtime.errors import Unauthenticated

from .agency_repo import AgencyRepository
from .client_repo import ClientRepository
from .token_repo import TokenRepository

#: Reloads re-read this much history, because commit order differs from the order rows were numbered.
_OVERLAP = timedelta(seconds=60)


class IdentityRevocations(RevocationState):
    def __init__(self) -> None:
        super().__init__()
        self.disabled_clients: set[str] = set()
        self.agency_not_before: dict[str, float] = {}
        self.sessions_not_before: dict[str, float] = {}

    def disable_client(self, client_id: str) -> None:
        self.disabled_clients.add(client_id)

    def resume_agency_after(self, agency_id: str, suspended_at: float) -> None:
        """Accept the agency's tokens again, except those issued before its suspension."""
        self.resume_agency(agency_id)
        self.agency_not_before[agency_id] = max(self.agency_not_before.get(agency_id, 0.0), suspended_at)

    def revoke_sessions(self, subject: str, before: float) -> None:
        self.sessions_not_before[subject] = max(self.sessions_not_before.get(subject, 0.0), before)

    def check(self, principal: Principal) -> None:
        super().check(principal)
        issued = float(principal.claims.get("iat", 0) or 0)
        if principal.client_id and principal.client_id in self.disabled_clients:
            raise Unauthenticated("the token's client is disabled", reason="CLIENT_DISABLED")
        if issued < self.agency_not_before.get(principal.agency_id, 0.0):
            raise Unauthenticated("the token predates its agency's suspension", reason="AGENCY_SUSPENDED")
        if issued < self.sessions_not_before.get(principal.subject, 0.0):
            raise Unauthenticated("the token's session has been revoked", reason="TOKEN_REVOKED")


class RevocationLoader:
    """Brings an :class:`IdentityRevocations` up to date with the database."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        state: IdentityRevocations,
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
                self.state.resume_agency_after(agency.id, agency.suspended_at.timestamp())
            if not agency.active:
                self.state.suspend_agency(agency.id)
        self.state.disabled_clients |= set(disabled)
        for row in revoked:
            self.state.revoke(row.token_id, row.expires_at)
        for row in sessions:
            self.state.revoke_sessions(row.subject, row.revoke_before)
        self._since = started - _OVERLAP
