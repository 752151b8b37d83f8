"""Notify's SQL unit of work: one transaction on a Core connection, its repositories and its outbox.

Notify's hot paths (group-committed sends, the delivery worker) run on Core connections (``engine.connect``),
lighter than ORM sessions; the runtime's :class:`SqlUnitOfWork` is used with a connection in its place. The
outbox rows of one commit go in one multi-row INSERT (a worker pass can finish hundreds of notifications).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong_runtime.events import first_delivery
from lienthong_runtime.uow import SqlUnitOfWork

from ..handlers.ports import Inbox, NotifyUnitOfWork
from .batch_store import SqlBatchRepository
from .callback_store import SqlCallbackRepository
from .contact_store import ContactSeal, SqlContactRepository
from .notification_store import SqlNotificationRepository
from .personal_fields import PersonalFields
from .queue import SqlDeliveryQueue
from .tables import outbox, processed_events
from .template_store import SqlTemplateRepository
from .usage_store import SqlUsageRepository


class SqlInbox(Inbox):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def first_delivery(self, consumer: str, event_id: str) -> bool:
        return await first_delivery(self.conn, processed_events, consumer, event_id)  # type: ignore[arg-type]


class SqlNotifyUnitOfWork(SqlUnitOfWork, NotifyUnitOfWork):
    """``async with uow:`` one transaction; the repositories are bound to its connection when it begins."""

    conn: AsyncConnection

    def __init__(
        self, connect: Callable[[], AsyncConnection], personal: PersonalFields, contacts: ContactSeal
    ) -> None:
        super().__init__(cast(Any, connect), outbox)
        self._connect = connect
        self._personal = personal
        self._contacts = contacts

    def bind(self, session: Any) -> None:
        conn: AsyncConnection = session
        self.notifications = SqlNotificationRepository(conn, self._personal)
        self.deliveries = SqlDeliveryQueue(conn, self._personal)
        self.templates = SqlTemplateRepository(conn)
        self.batches = SqlBatchRepository(conn)
        self.callbacks = SqlCallbackRepository(conn)
        self.usage = SqlUsageRepository(conn)
        self.contacts = SqlContactRepository(conn, self._contacts)
        self.inbox = SqlInbox(conn)

    async def _begin(self) -> None:
        self.conn = await self._connect()  # awaiting starts the connection (checks it out of the pool)
        try:
            await self.conn.begin()
        except BaseException:
            await self.conn.close()  # back to the pool: no __aexit__ follows a failed __aenter__
            raise
        self.bind(self.conn)

    async def _commit(self) -> None:
        try:
            await self.conn.commit()
        finally:
            await self.conn.close()

    async def _rollback(self) -> None:
        try:
            await self.conn.rollback()
        finally:
            await self.conn.close()

    async def _write_outbox(self, events: Sequence[EventEnvelope]) -> None:
        now = datetime.now(UTC)
        rows = [
            {
                "event_id": e.id,
                "type": e.type,
                "envelope": e.SerializeToString(),
                "created_at": now,
                "attempts": 0,
            }
            for e in events
        ]
        await self.conn.execute(insert(outbox), rows)


def sql_units(
    connect: Callable[[], AsyncConnection], personal: PersonalFields, contacts: ContactSeal
) -> Callable[[], SqlNotifyUnitOfWork]:
    """A factory of units of work (one per transaction; a unit is not shared between concurrent calls)."""
    return lambda: SqlNotifyUnitOfWork(connect, personal, contacts)
