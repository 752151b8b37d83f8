"""The unit of work every service's handlers take: one transaction, its repositories and its outbox.

The one service shape (``docs/DEVELOPING.md``): handlers receive a ``UnitOfWork`` (abstract here), plain values and
the caller, never a gRPC context or a session. ``async with uow:`` begins a transaction; leaving the block commits
when it ends normally and rolls back when it raises. Events staged with :meth:`UnitOfWork.publish` are written to
the service's outbox inside that same transaction, so an event exists if and only if its change does.

Two implementations per service:

- the service's SQL one (``adapters/uow.py``), a :class:`SqlUnitOfWork` subclass that binds its repositories to the
  session in :meth:`SqlUnitOfWork.bind` (payment's asyncpg hot path implements the same interface on a connection);
- the in-memory fake of its tests (``tests/<svc>/fakes.py``), a :class:`lienthong_runtime.testing.InMemoryUnitOfWork`
  subclass, so domain and handler rules are tested without PostgreSQL or a server.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from google.protobuf.message import Message
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong.common.v1.events_pb2 import EventEnvelope

from .events import add_event, envelope
from .request_context import current_request_id

__all__ = ["SqlUnitOfWork", "UnitOfWork"]


class UnitOfWork(abc.ABC):
    """One transaction of one service. Subclasses implement ``_begin``/``_commit``/``_rollback`` and
    ``_write_outbox`` and expose their repositories as attributes."""

    #: The publishing service's name (the envelope's ``source``).
    source: str = ""

    def __init__(self) -> None:
        self.staged: list[EventEnvelope] = []
        #: Events of the last committed transaction (the composition root wakes the relay when non-empty).
        self.committed: list[EventEnvelope] = []

    async def __aenter__(self) -> Self:
        self.staged = []
        self.committed = []
        await self._begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            await self._rollback()
            return
        try:
            if self.staged:
                await self._write_outbox(self.staged)
            await self._commit()
        except BaseException:
            await self._rollback()
            raise
        self.committed, self.staged = self.staged, []

    def publish(
        self, message: Message, *, subject: str = "", agency_id: str = "", correlation_id: str = ""
    ) -> EventEnvelope:
        """Stage ``message`` for the outbox; it is written, and later published, only if the transaction commits.
        The envelope's ``correlation_id`` defaults to the id of the request being handled."""
        event = envelope(
            self.source,
            message,
            subject=subject,
            agency_id=agency_id,
            correlation_id=correlation_id or current_request_id(),
        )
        self.staged.append(event)
        return event

    @abc.abstractmethod
    async def _begin(self) -> None: ...

    @abc.abstractmethod
    async def _commit(self) -> None: ...

    @abc.abstractmethod
    async def _rollback(self) -> None: ...

    @abc.abstractmethod
    async def _write_outbox(self, events: Sequence[EventEnvelope]) -> None: ...


class SqlUnitOfWork(UnitOfWork):
    """A unit of work on one SQLAlchemy ``AsyncSession``; subclasses create their repositories in :meth:`bind`.

    ``seal`` (optional) turns an envelope into the row actually stored, e.g. ``crypto.seal_event`` for services
    whose events carry personal data."""

    session: AsyncSession

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Table,
        *,
        seal: Callable[[EventEnvelope], EventEnvelope] | None = None,
    ) -> None:
        super().__init__()
        self._sessions = sessions
        self._outbox = outbox
        self._seal = seal

    def bind(self, session: AsyncSession) -> None:
        """Create the repositories on ``session`` (called at the start of every transaction)."""

    async def _begin(self) -> None:
        self.session = self._sessions()
        await self.session.begin()
        self.bind(self.session)

    async def _commit(self) -> None:
        try:
            await self.session.commit()
        finally:
            await self.session.close()

    async def _rollback(self) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def _write_outbox(self, events: Sequence[EventEnvelope]) -> None:
        for event in events:
            await add_event(self.session, self._outbox, self._seal(event) if self._seal else event)
