"""In-memory fakes of notify's unit of work and providers: handler and domain rules run without PostgreSQL, a
server, SMTP or HTTP. The repositories implement the same abstract interfaces (``handlers/ports.py``) as the SQL
ones, so a method missing here fails at construction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lienthong_notify.handlers.ports import NotifyUnitOfWork
from lienthong_runtime.testing import InMemoryUnitOfWork

from .fake_providers import FakeCallbackUrls, FakeClock, FakePoster, FakeProvider, deps
from .fake_repositories import (
    STATE,
    FakeBatches,
    FakeCallbacks,
    FakeContacts,
    FakeInbox,
    FakeNotifications,
    FakeQueue,
    FakeTemplates,
    FakeUsage,
)

__all__ = [
    "FakeCallbackUrls",
    "FakeClock",
    "FakeNotifyUnitOfWork",
    "FakePoster",
    "FakeProvider",
    "FakeStore",
    "deps",
]


class FakeStore:
    """The stored state every fake unit of work of one test shares (as a database would)."""

    def __init__(self) -> None:
        self.state: dict[str, Any] = {name: set() if name == "processed_events" else {} for name in STATE}
        self.outbox: list[Any] = []
        self.commits = 0

    def units(self) -> FakeNotifyUnitOfWork:
        return FakeNotifyUnitOfWork(self)

    __call__ = units

    def events(self, type_suffix: str = "") -> list[Any]:
        return [e for e in self.outbox if e.type.endswith(type_suffix)]


class FakeNotifyUnitOfWork(InMemoryUnitOfWork, NotifyUnitOfWork):
    state = STATE

    def __init__(self, shared: FakeStore | None = None) -> None:
        super().__init__()
        self.shared = shared or FakeStore()
        for name in STATE:  # the shared containers; InMemoryUnitOfWork restores them in place on rollback
            setattr(self, name, self.shared.state[name])
        self.notifications = FakeNotifications(self)  # type: ignore[assignment]
        self.deliveries = FakeQueue(self)
        self.templates = FakeTemplates(self)  # type: ignore[assignment]
        self.batches = FakeBatches(self)  # type: ignore[assignment]
        self.callbacks = FakeCallbacks(self)  # type: ignore[assignment]
        self.usage = FakeUsage(self)  # type: ignore[assignment]
        self.contacts = FakeContacts(self)  # type: ignore[assignment]
        self.inbox = FakeInbox(self)

    async def _commit(self) -> None:
        await super()._commit()
        self.shared.commits += 1

    async def _write_outbox(self, events: Sequence[Any]) -> None:
        await super()._write_outbox(events)
        self.shared.outbox.extend(events)
