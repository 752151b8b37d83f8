"""What an idempotency key of CreateAgency / CreateClient created, inside the create's unit of work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lienthong_runtime.crypto import Keyring

from ..domain.records import SECRET_RETENTION, IdempotencyConflict, StoredCreate
from .tables import create_requests as t


def _aad(caller: str, operation: str, key: str) -> bytes:
    return f"create-request|{caller}|{operation}|{key}".encode()


class CreateRequestRepository:
    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session, self.keyring = session, keyring

    async def find(self, caller: str, operation: str, key: str, now: datetime) -> StoredCreate | None:
        row = (
            await self.session.execute(
                select(t).where(
                    t.c.caller_agency_id == caller, t.c.operation == operation, t.c.idempotency_key == key
                )
            )
        ).first()
        if row is None:
            return None
        secret: str | None = ""
        if row.client_id:
            fresh = row.secret_sealed is not None and now - row.created_at < SECRET_RETENTION
            secret = (
                self.keyring.open_packed(row.secret_sealed, _aad(caller, operation, key)).decode()
                if fresh
                else None
            )
        return StoredCreate(row.fingerprint, row.agency_id, row.client_id, secret)

    async def add(
        self,
        caller: str,
        operation: str,
        key: str,
        *,
        fingerprint: str,
        agency_id: str,
        client_id: str,
        secret: str,
        now: datetime,
    ) -> None:
        sealed = self.keyring.seal_packed(secret.encode(), _aad(caller, operation, key)) if secret else None
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    insert(t).values(
                        caller_agency_id=caller,
                        operation=operation,
                        idempotency_key=key,
                        fingerprint=fingerprint,
                        agency_id=agency_id,
                        client_id=client_id,
                        secret_sealed=sealed,
                        created_at=now,
                    )
                )
        except IntegrityError:  # a concurrent create with the same key committed first
            raise IdempotencyConflict(key) from None
        # Secrets past retention are not kept: cleared here, on the (rare) create path.
        await self.session.execute(
            update(t)
            .where(t.c.secret_sealed.is_not(None), t.c.created_at < now - SECRET_RETENTION)
            .values(secret_sealed=None)
        )
