"""The unit of work: one transaction, the repositories bound to it, the outbox and the audit trail."""

from __future__ import annotations

from types import TracebackType

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime import crypto
from lienthong_runtime.crypto import BlindIndex, Keyring
from lienthong_runtime.events import add_event, envelope

from ..domain.audit import AuditEvent
from .agency_repo import AgencyRepository
from .audit_repo import AuditRepository
from .citizen_repo import CitizenRepository
from .client_repo import ClientRepository
from .create_request_repo import CreateRequestRepository
from .tables import outbox
from .throttle_repo import ThrottleRepository
from .token_repo import TokenRepository

#: Type-URL prefix of identity's sealed outbox payloads (see ``lienthong_runtime.crypto.seal_event``).
SEALED_PREFIX = "type.lienthong.vn/lienthong.identity.sealed/"


class UnitOfWork:
    """``async with uow:`` commits on success and rolls back on any exception."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], keyring: Keyring, index: BlindIndex
    ) -> None:
        self._sessions = sessions
        self._keyring = keyring
        self._index = index
        self.events = 0

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        await self.session.begin()
        s = self.session
        self.agencies = AgencyRepository(s)
        self.clients = ClientRepository(s)
        self.citizens = CitizenRepository(s, self._keyring, self._index)
        self.tokens = TokenRepository(s)
        self.throttle = ThrottleRepository(s)
        self.audit_trail = AuditRepository(s)
        self.create_requests = CreateRequestRepository(s, self._keyring)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                await self.session.commit()
            else:
                await self.session.rollback()
        finally:
            await self.session.close()

    async def publish(self, message: Message, *, subject: str, agency_id: str = "") -> None:
        """Stage an identity event in the outbox, committed with the change. The row is sealed (its payload is
        AES-GCM ciphertext under identity's keyring, unsealed by the relay's bus just before publishing), as the
        registry's and payment's are: a contact change carries a personal ID, e-mail and phone, and a deleted
        row's bytes can outlive it in a WAL or a dump."""
        event = envelope("identity", message, subject=subject, agency_id=agency_id)
        await add_event(self.session, outbox, crypto.seal_event(self._keyring, event, SEALED_PREFIX))
        self.events += 1

    async def audit(self, event: AuditEvent) -> None:
        await self.audit_trail.add(event)
