"""The SQL unit of work: one transaction, the repositories bound to it, the sealed outbox."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime import crypto
from lienthong_runtime.crypto import BlindIndex, Keyring
from lienthong_runtime.uow import SqlUnitOfWork

from ..handlers.ports import DossiersUnitOfWork
from .attachment_repo import SqlAttachmentRepository
from .calendar_repo import SqlCalendarRepository, SqlEventLedger
from .dossier_repo import SqlDossierRepository
from .procedure_repo import SqlProcedureRepository
from .report_repo import SqlReportRepository
from .tables import outbox

#: Type-URL prefix of dossiers' sealed outbox payloads: a status notice names the citizen (personal ID).
SEALED_PREFIX = "type.lienthong.vn/lienthong.dossiers.sealed/"


class SqlDossiersUnitOfWork(SqlUnitOfWork, DossiersUnitOfWork):
    source = "dossiers"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        keyring: Keyring,
        index: BlindIndex,
        *,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(sessions, outbox, seal=partial(crypto.seal_event, keyring, prefix=SEALED_PREFIX))
        self._keyring = keyring
        self._index = index
        self._on_commit = on_commit

    async def __aexit__(self, *exc: Any) -> None:
        await super().__aexit__(*exc)
        if self.committed and self._on_commit is not None:
            self._on_commit()  # wake the outbox relay: notices leave now, not at its next poll

    def bind(self, session: AsyncSession) -> None:
        self.procedures = SqlProcedureRepository(session)
        self.dossiers = SqlDossierRepository(session, self._keyring, self._index)
        self.attachments = SqlAttachmentRepository(session, self._keyring, self._index)
        self.reports = SqlReportRepository(session)
        self.calendar = SqlCalendarRepository(session)
        self.ledger = SqlEventLedger(session)
