"""What every handler needs besides storage (settings, the content store, the PDF verifier, wake-ups), who is
calling, and the checks every document RPC makes (membership, visibility, access log).

Storage comes as the abstract :class:`~.ports.DocumentsUnitOfWork` each handler takes as its first argument;
``Context.uow`` is the factory the servicer calls once per request (the SQL one, or a fake in tests)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lienthong_runtime.auth import Principal
from lienthong_runtime.errors import FailedPrecondition, NotFound, invalid

from ..config import Settings
from ..domain.directory import DirectoryAgency
from ..domain.documents import Document
from .ports import ChunkStore, DocumentsUnitOfWork, SignatureVerifier

log = logging.getLogger("lienthong.documents")


class Arrivals:
    """Wakes this process's waiters when something is committed: inbox subscriptions (an inbox changed), and
    registrations waiting for identity's agency event (an agency event was applied)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def current(self) -> asyncio.Event:
        """Take it before looking for events, then wait on it: a notification in between is not lost."""
        return self._event

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()


@dataclass(frozen=True)
class Caller:
    agency_id: str
    client_id: str
    scopes: frozenset[str]

    @classmethod
    def of(cls, principal: Principal) -> Caller:
        return cls(principal.agency_id, principal.client_id or principal.subject, principal.scopes)


@dataclass
class Context:
    settings: Settings
    #: A new unit of work (one per request); the composition root injects the SQL one.
    uow: Callable[[], DocumentsUnitOfWork]
    #: Committed attachment content (read back sealed chunk by chunk).
    chunks: ChunkStore
    pdf: SignatureVerifier
    #: Wakes the outbox relay after a commit with events (``OutboxRelay.wake``); none in unit tests.
    wake_relay: Callable[[], None] | None = None
    arrivals: Arrivals = field(default_factory=Arrivals)
    #: Wakes registrations waiting for an agency identity has just created.
    agency_events: Arrivals = field(default_factory=Arrivals)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    def committed(self, uow: DocumentsUnitOfWork, *, inbox: bool = False) -> None:
        """Call after a commit: publish staged events now, and wake subscriptions when inboxes changed."""
        if uow.committed and self.wake_relay is not None:
            self.wake_relay()
        if inbox:
            self.arrivals.notify()


async def member(uow: DocumentsUnitOfWork, caller: Caller) -> DirectoryAgency:
    """The caller's directory entry; an agency outside the directory, or suspended by identity, can neither send
    nor receive."""
    return as_member(await uow.directory.by_agency(caller.agency_id) if caller.agency_id else None)


def as_member(me: DirectoryAgency | None) -> DirectoryAgency:
    """The checks of :func:`member` on an entry already read."""
    if me is None:
        raise FailedPrecondition(
            "the calling agency is not in the document directory", reason="AGENCY_NOT_IN_DIRECTORY"
        )
    if me.suspended:
        raise FailedPrecondition("the calling agency is suspended", reason="AGENCY_SUSPENDED")
    return me


def not_found() -> NotFound:
    return NotFound("no such document", reason="DOCUMENT_NOT_FOUND")


async def visible(
    uow: DocumentsUnitOfWork,
    me: DirectoryAgency,
    document_id: str,
    action: str,
    caller: Caller,
    *,
    for_update: bool = False,
) -> Document:
    """The document as ``me`` may see it, with the access logged; NOT_FOUND for everyone else (the same
    answer as for an id that never existed)."""
    if not document_id:
        raise invalid("document_id", "is required")
    doc = await uow.documents.get(document_id[:64], for_update=for_update)
    if doc is None or not doc.visible_to(me.agency_id):
        if doc is not None:
            log.warning("document access refused", extra={"action": action, "agency": me.agency_id})
        raise not_found()
    await uow.documents.log_access(doc.id, me.agency_id, me.code, caller.client_id, action, datetime.now(UTC))
    return doc.as_seen_by(me.agency_id)
