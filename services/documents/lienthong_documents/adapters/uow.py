"""The unit of work: one transaction, the repositories bound to it and the outbox."""

from __future__ import annotations

from types import TracebackType

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime.crypto import Keyring
from lienthong_runtime.events import add_event, envelope

from .attachment_repo import AttachmentRepository
from .blobs import ChunkWriter
from .directory_repo import DirectoryRepository
from .document_repo import DocumentRepository
from .identity_agency_repo import IdentityAgencyRepository
from .tables import outbox


class UnitOfWork:
    """``async with uow:`` commits on success and rolls back on any exception."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], keyring: Keyring) -> None:
        self._sessions = sessions
        self._keyring = keyring
        self.events = 0

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        await self.session.begin()
        s = self.session
        self.directory = DirectoryRepository(s)
        self.identity_agencies = IdentityAgencyRepository(s)
        self.attachments = AttachmentRepository(s)
        self.documents = DocumentRepository(s, self.attachments)
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

    def chunk_writer(self, attachment_id: str) -> ChunkWriter:
        """Seals attachment content into this transaction."""
        return ChunkWriter(self.session, self._keyring, attachment_id)

    async def publish(self, message: Message, *, subject: str, agency_id: str = "") -> None:
        """Stage a documents event in the outbox, committed with the change."""
        await add_event(
            self.session, outbox, envelope("documents", message, subject=subject, agency_id=agency_id)
        )
        self.events += 1
