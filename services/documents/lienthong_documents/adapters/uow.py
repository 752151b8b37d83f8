"""documents' SQL unit of work: one transaction, the repositories bound to it and the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime.crypto import Keyring
from lienthong_runtime.events import first_delivery
from lienthong_runtime.uow import SqlUnitOfWork

from ..handlers.ports import DocumentsUnitOfWork
from .attachment_repo import AttachmentRepository
from .blobs import ChunkWriter
from .directory_repo import DirectoryRepository
from .document_repo import DocumentRepository
from .identity_agency_repo import IdentityAgencyRepository
from .tables import outbox, processed_events


class ProcessedEvents:
    """Events of other services this service has already applied (redeliveries are skipped)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_delivery(self, consumer: str, event_id: str) -> bool:
        return await first_delivery(self.session, processed_events, consumer, event_id)


class SqlDocumentsUnitOfWork(SqlUnitOfWork, DocumentsUnitOfWork):
    """``async with uow:`` commits on success and rolls back on any exception."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], keyring: Keyring) -> None:
        super().__init__(sessions, outbox)
        self._keyring = keyring

    def bind(self, session: AsyncSession) -> None:
        self.directory = DirectoryRepository(session)
        self.identity_agencies = IdentityAgencyRepository(session)
        self.attachments = AttachmentRepository(session)
        self.documents = DocumentRepository(session, self.attachments)
        self.processed = ProcessedEvents(session)

    def chunk_writer(self, attachment_id: str) -> ChunkWriter:
        """Seals attachment content into this transaction."""
        return ChunkWriter(self.session, self._keyring, attachment_id)
