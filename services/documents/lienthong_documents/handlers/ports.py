"""What the handlers need from storage and from the collaborators the composition root injects: documents'
abstract unit of work, its repositories, the attachment content store and the PDF signature verifier.

The SQL implementation is ``adapters/uow.py`` (``SqlDocumentsUnitOfWork``); the in-memory one for tests without
PostgreSQL is ``tests/documents/fakes.py``. Handlers import only this module, never an adapter.
"""

from __future__ import annotations

import abc
import asyncio
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import IO, Any, Protocol

from lienthong_runtime.uow import UnitOfWork

from ..domain.directory import DirectoryAgency, KnownAgency
from ..domain.documents import Attachment, Document, Recipient
from ..domain.signatures import ReceivePolicy, SignatureCheck


class DirectoryRepository(Protocol):
    async def add(self, agency: DirectoryAgency) -> None:
        """Raises ``domain.documents.DuplicateKey`` when the code or the agency is already registered."""

    async def set_policy(self, agency_id: str, policy: ReceivePolicy, email: str) -> None: ...
    async def by_code(self, code: str) -> DirectoryAgency | None: ...
    async def by_agency_or_codes(self, agency_id: str, codes: list[str]) -> list[DirectoryAgency]: ...
    async def by_agency(self, agency_id: str) -> DirectoryAgency | None: ...
    async def search(
        self, query: str, code_prefix: str, province: str, size: int, after: str
    ) -> list[DirectoryAgency]: ...


class IdentityAgencyRepository(Protocol):
    async def get(self, agency_id: str, *, for_update: bool = False) -> KnownAgency | None: ...
    async def created(self, agency_id: str, name: str, kind: str, province: str, now: datetime) -> None: ...
    async def suspension(self, agency_id: str, suspended: bool, at: datetime, now: datetime) -> bool: ...


class AttachmentRepository(Protocol):
    async def add(self, attachment: Attachment, chunks: int, now: datetime) -> None: ...
    async def set_signature(self, attachment_id: str, check: SignatureCheck) -> None: ...
    async def get(self, attachment_id: str) -> tuple[Attachment, int] | None: ...
    async def unsent(self, agency_id: str, ids: list[str]) -> list[Attachment]: ...
    async def bind(self, ids: list[str], document_id: str) -> None: ...
    async def purge_unsent(self, before: datetime, limit: int) -> int: ...


class DocumentRepository(Protocol):
    async def add(self, doc: Document) -> None:
        """Raises ``domain.documents.DuplicateKey`` when the sender already used the idempotency key."""

    async def get(self, document_id: str, *, for_update: bool = False) -> Document | None: ...
    async def by_idempotency_key(self, agency_id: str, key: str) -> Document | None: ...
    async def mark_recalled(self, document_id: str, at: datetime, reason: str) -> None: ...
    async def mark_replaced(self, document_id: str, by: str) -> None: ...
    async def recipient(self, document_id: str, agency_id: str) -> Recipient | None: ...
    async def save_recipient(self, r: Recipient, reason: str) -> None: ...
    async def history(self, document_id: str) -> list[Any]: ...
    async def add_inbox_event(self, agency_id: str, document_id: str, kind: str, at: datetime) -> None: ...
    async def inbox_events_after(self, agency_id: str, cursor: int, limit: int) -> list[Any]: ...
    async def inbox(
        self, agency_id: str, filters: dict[str, Any], size: int, after: Any
    ) -> list[Document]: ...
    async def sent(self, agency_id: str, size: int, after: Any) -> list[Document]: ...
    async def log_access(
        self, document_id: str, agency_id: str, code: str, client_id: str, action: str, at: datetime
    ) -> None: ...
    async def accesses(self, document_id: str, size: int, before: int) -> list[Any]: ...


class ProcessedEvents(Protocol):
    async def first_delivery(self, consumer: str, event_id: str) -> bool:
        """Record that ``consumer`` handles ``event_id`` now; False if it already did."""


class ChunkWriter(Protocol):
    """Attachment content being written in the current transaction (sealed chunk by chunk)."""

    size: int
    head: bytes

    async def write(self, data: bytes) -> None: ...
    async def finish(self) -> tuple[int, str, int]:
        """(size, sha256 hex, chunk count)."""


class ChunkStore(Protocol):
    """Attachment content already committed."""

    def stream(self, attachment_id: str, chunks: int) -> AsyncIterator[bytes]: ...
    def reader(self, attachment_id: str, size: int, loop: asyncio.AbstractEventLoop) -> io.RawIOBase: ...


class SignatureVerifier(Protocol):
    def verify(self, pdf: IO[bytes]) -> SignatureCheck: ...


class DocumentsUnitOfWork(UnitOfWork):
    """One transaction of documents: its repositories and the outbox (``publish``)."""

    source = "documents"
    directory: DirectoryRepository
    identity_agencies: IdentityAgencyRepository
    attachments: AttachmentRepository
    documents: DocumentRepository
    processed: ProcessedEvents

    @abc.abstractmethod
    def chunk_writer(self, attachment_id: str) -> ChunkWriter:
        """Writes ``attachment_id``'s content inside this transaction."""
