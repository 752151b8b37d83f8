"""Citizen accounts in the database: personal data sealed (AES-GCM), found by an HMAC blind index."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lienthong_runtime.crypto import BlindIndex, Keyring
from lienthong_runtime.errors import AlreadyExists

from ..domain.citizens import CitizenAccount
from .crypto import open_text, seal_text
from .tables import citizens as t


class CitizenRepository:
    def __init__(self, session: AsyncSession, keyring: Keyring, index: BlindIndex) -> None:
        self.session = session
        self.keyring = keyring
        self.index = index

    def _index(self, personal_id: str) -> bytes:
        return self.index.digest("pid", personal_id)

    def _open(self, sealed: bytes | None, aad: str) -> str:
        return open_text(self.keyring, sealed, aad)

    def _account(self, row: Any) -> CitizenAccount:
        ctx = f"citizens:{row.id}"
        return CitizenAccount(
            id=row.id,
            personal_id=self._open(row.personal_id, ctx + ":pid"),
            password_hash=row.password_hash,
            created_at=row.created_at,
            email=self._open(row.email, ctx + ":email"),
            phone_number=self._open(row.phone_number, ctx + ":phone"),
            totp_enabled=row.totp_secret is not None,
            totp_last_step=row.totp_last_step,
        )

    async def add(self, account: CitizenAccount) -> None:
        ctx = f"citizens:{account.id}"

        def seal(text: str, aad: str) -> bytes:
            return seal_text(self.keyring, text, aad)

        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    insert(t).values(
                        id=account.id,
                        personal_id_index=self._index(account.personal_id),
                        personal_id=seal(account.personal_id, ctx + ":pid"),
                        email=seal(account.email, ctx + ":email") if account.email else None,
                        phone_number=seal(account.phone_number, ctx + ":phone")
                        if account.phone_number
                        else None,
                        password_hash=account.password_hash,
                        totp_last_step=0,
                        created_at=account.created_at,
                        password_changed_at=account.created_at,
                    )
                )
        except IntegrityError:
            raise AlreadyExists(
                "an account already exists for this personal ID", reason="ACCOUNT_EXISTS"
            ) from None

    async def by_personal_id(self, personal_id: str) -> CitizenAccount | None:
        row = (
            await self.session.execute(select(t).where(t.c.personal_id_index == self._index(personal_id)))
        ).first()
        return self._account(row) if row else None

    async def get(self, account_id: str, *, for_update: bool = False) -> CitizenAccount | None:
        query = select(t).where(t.c.id == account_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return self._account(row) if row else None

    async def set_password(self, account_id: str, password_hash: str, now: datetime) -> None:
        await self.session.execute(
            update(t).where(t.c.id == account_id).values(password_hash=password_hash, password_changed_at=now)
        )

    async def set_pending_totp(self, account_id: str, secret: str) -> None:
        sealed = seal_text(self.keyring, secret, f"citizens:{account_id}:totp")
        await self.session.execute(update(t).where(t.c.id == account_id).values(totp_pending=sealed))

    async def totp_secrets(self, account_id: str) -> tuple[str, str]:
        """(confirmed secret, pending secret), each '' when absent."""
        row = (
            await self.session.execute(select(t.c.totp_secret, t.c.totp_pending).where(t.c.id == account_id))
        ).first()
        if row is None:
            return "", ""
        ctx = f"citizens:{account_id}:totp"
        return self._open(row.totp_secret, ctx), self._open(row.totp_pending, ctx)

    async def confirm_totp(self, account_id: str, step: int) -> None:
        await self.session.execute(
            update(t)
            .where(t.c.id == account_id)
            .values(totp_secret=t.c.totp_pending, totp_pending=None, totp_last_step=step)
        )

    async def use_totp_step(self, account_id: str, step: int) -> bool:
        """Consume TOTP step ``step``; False if it or a later one was already used (single use of codes)."""
        result = await self.session.execute(
            update(t).where(t.c.id == account_id, t.c.totp_last_step < step).values(totp_last_step=step)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
