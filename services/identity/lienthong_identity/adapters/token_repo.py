"""Refresh tokens (hashes only), revoked access tokens and revoked sessions in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.records import RefreshRecord
from .tables import refresh_tokens as rt
from .tables import revoked_tokens, session_revocations, used_assertions


class TokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_refresh(
        self, token_hash: bytes, family_id: str, account_id: str, now: datetime, expires_at: datetime
    ) -> None:
        await self.session.execute(
            insert(rt).values(
                token_hash=token_hash,
                family_id=family_id,
                account_id=account_id,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def refresh(self, token_hash: bytes) -> RefreshRecord | None:
        row = (await self.session.execute(select(rt).where(rt.c.token_hash == token_hash))).first()
        if row is None:
            return None
        return RefreshRecord(
            row.family_id, row.account_id, row.expires_at, row.used_at, row.revoked_at, row.created_at
        )

    async def use_refresh(self, token_hash: bytes, now: datetime) -> bool:
        """Mark the token used; False if it was already used or revoked (atomic: one winner)."""
        result = await self.session.execute(
            update(rt)
            .where(
                rt.c.token_hash == token_hash,
                rt.c.used_at.is_(None),
                rt.c.revoked_at.is_(None),
            )
            .values(used_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        await self.session.execute(
            update(rt).where(rt.c.family_id == family_id, rt.c.revoked_at.is_(None)).values(revoked_at=now)
        )

    async def revoke_account(self, account_id: str, now: datetime) -> None:
        await self.session.execute(
            update(rt).where(rt.c.account_id == account_id, rt.c.revoked_at.is_(None)).values(revoked_at=now)
        )

    async def revoke_access(self, token_id: str, subject: str, expires_at: float, now: datetime) -> bool:
        """Record a revoked access token; False if it already was."""
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    insert(revoked_tokens).values(
                        token_id=token_id, subject=subject, expires_at=expires_at, created_at=now
                    )
                )
        except IntegrityError:
            return False
        return True

    async def is_revoked(self, token_id: str) -> bool:
        row = (
            await self.session.execute(
                select(revoked_tokens.c.seq).where(revoked_tokens.c.token_id == token_id)
            )
        ).first()
        return row is not None

    async def revoke_sessions(self, subject: str, before: float, cause: str, now: datetime) -> None:
        await self.session.execute(
            insert(session_revocations).values(
                subject=subject, revoke_before=before, cause=cause, created_at=now
            )
        )

    async def sessions_revoked_before(self, subject: str) -> float:
        """The latest ``revoke_before`` for the subject (0 when none)."""
        rows = (
            await self.session.execute(
                select(session_revocations.c.revoke_before).where(session_revocations.c.subject == subject)
            )
        ).all()
        return max((r.revoke_before for r in rows), default=0.0)

    async def revoked_since(self, since: datetime, now: float) -> list[Any]:
        """Unexpired revoked access tokens recorded after ``since`` (callers overlap windows: commit order
        differs from sequence order, so a window, not a sequence number, is what is safe to resume from)."""
        query = select(revoked_tokens).where(
            revoked_tokens.c.created_at > since, revoked_tokens.c.expires_at > now
        )
        return list((await self.session.execute(query)).all())

    async def session_revocations_since(self, since: datetime) -> list[Any]:
        query = select(session_revocations).where(session_revocations.c.created_at > since)
        return list((await self.session.execute(query)).all())

    async def prune(self, now: datetime) -> None:
        """Forget what can no longer matter: revocations of expired tokens, used assertions past their expiry."""
        # A margin beyond any verifier's leeway: an expired-but-within-leeway token must stay revoked.
        horizon = now.timestamp() - 600
        await self.session.execute(delete(revoked_tokens).where(revoked_tokens.c.expires_at < horizon))
        await self.session.execute(delete(used_assertions).where(used_assertions.c.expires_at < now))
