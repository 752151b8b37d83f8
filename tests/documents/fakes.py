"""documents' unit of work in memory: the same repository interfaces as ``adapters/uow.py`` over plain dicts and
lists, so handler rules (forward-only states, recipient isolation, idempotent sends) are tested without
PostgreSQL or a server. ``context()`` builds the handlers' collaborators around a fake."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import IO, Any

from lienthong_documents.bootstrap import load_settings
from lienthong_documents.domain.directory import DirectoryAgency, KnownAgency
from lienthong_documents.domain.documents import Attachment, Document, Recipient
from lienthong_documents.domain.signatures import NOT_APPLICABLE, SignatureCheck
from lienthong_documents.handlers.context import Context
from lienthong_documents.handlers.ports import DocumentsUnitOfWork
from lienthong_runtime.testing import InMemoryUnitOfWork
from tests.documents.fake_repositories import (
    FakeAttachments,
    FakeChunkWriter,
    FakeDirectory,
    FakeDocuments,
    FakeIdentityAgencies,
    FakeProcessed,
)


class FakeDocumentsUnitOfWork(InMemoryUnitOfWork, DocumentsUnitOfWork):
    state = (
        "entries",
        "known",
        "files",
        "chunks",
        "docs",
        "recipients",
        "history",
        "inbox_events",
        "access_log",
        "seen",
    )

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, DirectoryAgency] = {}
        self.known: dict[str, KnownAgency] = {}
        self.files: dict[str, tuple[Attachment, int, datetime]] = {}
        self.chunks: dict[str, bytes] = {}
        self.docs: dict[str, Document] = {}
        self.recipients: dict[tuple[str, str], Recipient] = {}
        self.history: list[Any] = []
        self.inbox_events: list[Any] = []
        self.access_log: list[Any] = []
        self.seen: set[tuple[str, str]] = set()
        self.directory = FakeDirectory(self)
        self.identity_agencies = FakeIdentityAgencies(self.known)
        self.attachments = FakeAttachments(self)
        self.documents = FakeDocuments(self)
        self.processed = FakeProcessed(self.seen)

    def chunk_writer(self, attachment_id: str) -> FakeChunkWriter:
        return FakeChunkWriter(self.chunks, attachment_id)

    def event_types(self) -> list[str]:
        """Type names of the committed outbox events, in order."""
        return [e.type.rsplit(".", 1)[-1] for e in self.outbox]


class FakeChunkStore:
    def __init__(self, uow: FakeDocumentsUnitOfWork) -> None:
        self.uow = uow

    async def stream(self, attachment_id: str, chunks: int) -> AsyncIterator[bytes]:
        yield self.uow.chunks[attachment_id]

    def reader(self, attachment_id: str, size: int, loop: asyncio.AbstractEventLoop) -> io.RawIOBase:
        return io.BytesIO(self.uow.chunks[attachment_id])  # type: ignore[return-value]


class NoSignatures:
    """A verifier that finds no signature (PDF signature rules are the adapter's tests)."""

    def verify(self, pdf: IO[bytes]) -> SignatureCheck:
        return NOT_APPLICABLE


def context(uow: FakeDocumentsUnitOfWork, **settings: Any) -> Context:
    config = load_settings(dev_mode=True, agency_event_wait=0.0, **settings)
    return Context(settings=config, uow=lambda: uow, chunks=FakeChunkStore(uow), pdf=NoSignatures())
