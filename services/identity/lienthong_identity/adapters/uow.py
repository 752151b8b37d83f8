"""identity's SQL unit of work: one transaction, the repositories bound to it and the sealed outbox."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime import crypto
from lienthong_runtime.crypto import BlindIndex, Keyring
from lienthong_runtime.uow import SqlUnitOfWork

from ..domain.keys import SigningKey
from ..handlers.ports import IdentityUnitOfWork
from .agency_repo import AgencyRepository
from .audit_repo import AuditRepository
from .citizen_repo import CitizenRepository
from .client_repo import ClientRepository
from .create_request_repo import CreateRequestRepository
from .keystore import KeyStore
from .tables import outbox
from .throttle_repo import ThrottleRepository
from .token_repo import TokenRepository

#: Type-URL prefix of identity's sealed outbox payloads (see ``lienthong_runtime.crypto.seal_event``).
SEALED_PREFIX = "type.lienthong.vn/lienthong.identity.sealed/"


class SigningKeyRepository:
    """Rotation of the signing keys inside this transaction (the key material is the key store's)."""

    def __init__(self, session: AsyncSession, keys: KeyStore) -> None:
        self.session, self.keys = session, keys

    async def rotate(
        self, now: datetime, *, only_if_due: float | None = None
    ) -> tuple[SigningKey, SigningKey, SigningKey | None] | None:
        return await self.keys.rotate(self.session, now, only_if_due=only_if_due)


class SqlIdentityUnitOfWork(SqlUnitOfWork, IdentityUnitOfWork):
    """``async with uow:`` commits on success and rolls back on any exception.

    Outbox rows are sealed (the payload is AES-GCM ciphertext under identity's keyring, unsealed by the relay's
    bus just before publishing), as the registry's and payment's are: a contact change carries a personal ID,
    e-mail and phone, and a deleted row's bytes can outlive it in a WAL or a dump."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        keyring: Keyring,
        index: BlindIndex,
        keys: KeyStore,
    ) -> None:
        super().__init__(sessions, outbox, seal=partial(crypto.seal_event, keyring, prefix=SEALED_PREFIX))
        self._keyring, self._index, self._keys = keyring, index, keys

    def bind(self, session: AsyncSession) -> None:
        self.agencies = AgencyRepository(session)
        self.clients = ClientRepository(session)
        self.citizens = CitizenRepository(session, self._keyring, self._index)
        self.tokens = TokenRepository(session)
        self.throttle = ThrottleRepository(session)
        self.audit_trail = AuditRepository(session)
        self.create_requests = CreateRequestRepository(session, self._keyring)
        self.signing_keys = SigningKeyRepository(session, self._keys)
