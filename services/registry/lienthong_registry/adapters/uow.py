"""The registry's SQL unit of work: one SQLAlchemy transaction, its repositories, the sealed outbox and the WRITE
entries of the access log, chained last before the commit."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong_runtime.uow import SqlUnitOfWork

from ..handlers.ports import RegistryUnitOfWork
from . import access_log_store, sealed_events
from .citizen_store import CitizenStore
from .repositories import SqlAccessLogEntries, SqlCitizens, SqlCreateKeys, SqlPolicies
from .tables import outbox


class SqlRegistryUnitOfWork(SqlUnitOfWork, RegistryUnitOfWork):
    """Events are stored sealed (their payload carries the personal ID) and deleted once published.
    ``on_commit`` runs after a commit that staged events (the composition root wakes the outbox relay).
    Without ``store`` (no keys: the operator's ``verify-log``) it has no citizens and cannot publish."""

    access_log: SqlAccessLogEntries

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        store: CitizenStore | None,
        *,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(sessions, outbox, seal=self._seal_event)
        self._store = store
        self._on_commit = on_commit

    def _seal_event(self, event: EventEnvelope) -> EventEnvelope:
        if self._store is None:
            raise RuntimeError("a unit of work without keys cannot publish registry events")
        return sealed_events.seal(self._store.keyring, event)

    def bind(self, session: AsyncSession) -> None:
        if self._store is not None:
            self.citizens = SqlCitizens(session, self._store)
        self.create_keys = SqlCreateKeys(session)
        self.policies = SqlPolicies(session)
        self.access_log = SqlAccessLogEntries(session)

    async def _commit(self) -> None:
        # Last in the transaction, after the outbox: on PostgreSQL the chain's advisory lock is taken here and
        # held until the commit, so the version and its entry commit together or not at all.
        if self.access_log.pending:
            await access_log_store.append_in_transaction(self.session, self.access_log.pending)
        await super()._commit()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await super().__aexit__(exc_type, exc, tb)
        if exc_type is None and self.committed and self._on_commit is not None:
            self._on_commit()
