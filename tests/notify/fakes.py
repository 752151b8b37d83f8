"""In-memory fakes of notify's unit of work and providers: handler and domain rules run without PostgreSQL, a
server, SMTP or HTTP. The repositories implement the same abstract interfaces (``handlers/ports.py``) as the SQL
ones, so a method missing here fails at construction."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lienthong_notify.domain.callbacks import CallbackConfig, CallbackDue, url_problem
from lienthong_notify.domain.channels import Channel, Status, may_move
from lienthong_notify.domain.contacts import Contact
from lienthong_notify.domain.limits import RateLimiter
from lienthong_notify.domain.notifications import (
    Claimed,
    NewNotification,
    Notification,
    NotificationFilter,
    Outcome,
    RetryPolicy,
)
from lienthong_notify.domain.templates import TemplateVersion
from lienthong_notify.handlers import ports
from lienthong_notify.handlers.ports import Deps, NotifyUnitOfWork
from lienthong_runtime.testing import InMemoryUnitOfWork

STATE = (
    "notification_rows",
    "idempotency_keys",
    "queue_rows",
    "template_versions",
    "batch_rows",
    "callback_configs",
    "callback_rows",
    "usage_counts",
    "contact_rows",
    "processed_events",
)


@dataclass
class Row:
    """A stored notification and what the SQL row keeps beside it."""

    n: Notification
    key: str | None
    fingerprint: str
    provider: str = ""
    provider_reference: str = ""


class FakeNotifications(ports.NotificationRepository):
    def __init__(self, uow: FakeNotifyUnitOfWork) -> None:
        self.rows: dict[str, Row] = uow.notification_rows
        self.keys: dict[tuple[str, str], str] = uow.idempotency_keys
        self.queue: dict[str, dict[str, Any]] = uow.queue_rows

    async def add(self, items: Sequence[NewNotification]) -> None:
        for i in items:
            self._put(i)
        await self.enqueue(items)

    def _put(self, i: NewNotification) -> None:
        self.rows[i.notification.id] = Row(i.notification, i.idempotency_key, i.fingerprint)
        if i.idempotency_key is not None:
            self.keys[(i.notification.agency_id, i.idempotency_key)] = i.notification.id

    async def insert_unless_key_used(self, items: Sequence[NewNotification]) -> set[str]:
        stored = set()
        for i in items:
            if (i.notification.agency_id, i.idempotency_key) not in self.keys:
                self._put(i)
                stored.add(i.notification.id)
        return stored

    async def enqueue(self, items: Sequence[NewNotification]) -> None:
        for i in items:
            self.queue[i.notification.id] = {
                "priority": i.priority,
                "due_at": i.notification.create_time,
                "attempts": 0,
                "give_up_at": i.give_up_at,
                "last_error": "",
                "recipient_unavailable": False,
            }

    async def discard(self, ids: Sequence[str]) -> None:
        for nid in ids:
            row = self.rows.pop(nid)
            self.keys.pop((row.n.agency_id, row.key or ""), None)

    async def get(self, agency_id: str, notification_id: str) -> Notification | None:
        row = self.rows.get(notification_id)
        return row.n if row and row.n.agency_id == agency_id else None

    async def by_idempotency_keys(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[Notification, str]]:
        found = {pair: self.rows[self.keys[pair]] for pair in keys if pair in self.keys}
        return {pair: (row.n, row.fingerprint) for pair, row in found.items()}

    async def list_page(
        self, agency_id: str, flt: NotificationFilter, before_id: str | None, limit: int
    ) -> list[Notification]:
        mine = [r.n for r in self.rows.values() if r.n.agency_id == agency_id and flt.matches(r.n)]
        return _newest(mine, before_id, limit)

    async def list_for_recipients(
        self, recipients: Sequence[str], before_id: str | None, limit: int
    ) -> list[Notification]:
        found = [r.n for r in self.rows.values() if r.n.recipient in recipients and not r.n.test]
        return _newest(found, before_id, limit)

    async def status_counts(self, agency_id: str, batch_id: str) -> dict[Status, int]:
        counts: dict[Status, int] = {}
        for r in self.rows.values():
            if r.n.agency_id == agency_id and r.n.batch_id == batch_id:
                counts[r.n.status] = counts.get(r.n.status, 0) + 1
        return counts

    async def move(
        self,
        ids: Sequence[str],
        target: Status,
        now: datetime,
        *,
        reason: str = "",
        provider: str | None = None,
        attempted: bool = False,
    ) -> list[Notification]:
        moved = []
        for nid in ids:
            row = self.rows[nid]
            if not may_move(row.n.status, target):
                continue
            changes: dict[str, Any] = {"status": target}
            if target is Status.SENDING:
                changes["send_time"] = row.n.send_time or now
            if target.final:
                changes.update(complete_time=now, failure_reason=reason)
            if attempted:
                changes["attempt_count"] = row.n.attempt_count + 1
            row.n = dataclasses.replace(row.n, **changes)
            row.provider = provider if provider is not None else row.provider
            moved.append(row.n)
        return moved

    async def count_attempt(self, ids: Sequence[str]) -> None:
        for nid in ids:
            row = self.rows[nid]
            row.n = dataclasses.replace(row.n, attempt_count=row.n.attempt_count + 1)

    async def handed_over(self, notification_id: str, provider: str, provider_reference: str) -> None:
        row = self.rows[notification_id]
        row.provider, row.provider_reference = provider, provider_reference
        row.n = dataclasses.replace(row.n, attempt_count=row.n.attempt_count + 1)

    async def expire_unconfirmed_sms(self, sent_before: datetime, now: datetime) -> list[Notification]:
        stale = [
            r.n.id
            for r in self.rows.values()
            if r.n.channel is Channel.SMS
            and r.n.status is Status.SENDING
            and r.provider_reference
            and r.n.send_time is not None
            and r.n.send_time < sent_before
        ]
        return await self.move(stale, Status.TEMPORARY_FAILURE, now, reason="NO_RECEIPT")


def _newest(items: list[Notification], before_id: str | None, limit: int) -> list[Notification]:
    items = [n for n in items if before_id is None or n.id < before_id]
    return sorted(items, key=lambda n: n.id, reverse=True)[:limit]


class FakeQueue(ports.DeliveryQueue):
    def __init__(self, uow: FakeNotifyUnitOfWork) -> None:
        self.entries: dict[str, dict[str, Any]] = uow.queue_rows
        self.rows: dict[str, Row] = uow.notification_rows

    async def claim(self, limit: int, lease_s: float, now: datetime) -> list[Claimed]:
        due = sorted(
            (e["priority"], e["due_at"], nid) for nid, e in self.entries.items() if e["due_at"] <= now
        )[:limit]
        claimed = []
        for _, _, nid in due:
            entry = self.entries[nid]
            entry["due_at"] = now + timedelta(seconds=lease_s)
            claimed.append(
                Claimed(
                    self.rows[nid].n, entry["attempts"], entry["give_up_at"], entry["recipient_unavailable"]
                )
            )
        return sorted(claimed, key=lambda c: c.notification.id)

    async def done(self, ids: Sequence[str]) -> None:
        for nid in ids:
            self.entries.pop(nid, None)

    async def retry_later(
        self, notification_id: str, due_at: datetime, error: str, recipient_unavailable: bool
    ) -> None:
        entry = self.entries[notification_id]
        entry.update(due_at=due_at, last_error=error[:100], recipient_unavailable=recipient_unavailable)
        entry["attempts"] += 1

    async def pending(self) -> int:
        return len(self.entries)


class FakeTemplates(ports.TemplateRepository):
    def __init__(self, uow: FakeNotifyUnitOfWork) -> None:
        self.versions: dict[str, list[TemplateVersion]] = uow.template_versions

    def _latest(self) -> list[TemplateVersion]:
        return [v[-1] for v in self.versions.values()]

    def _taken(self, t: TemplateVersion, other_than: str = "") -> bool:
        return any(
            (x.agency_id, x.channel, x.name) == (t.agency_id, t.channel, t.name) and x.id != other_than
            for x in self._latest()
        )

    async def add(self, t: TemplateVersion) -> None:
        if self._taken(t):
            raise ports.Conflict("template name")
        self.versions[t.id] = [t]

    async def add_version(self, t: TemplateVersion) -> None:
        self.versions[t.id].append(t)

    async def bump(self, agency_id: str, template_id: str, expected: int, name: str) -> bool:
        latest = self.versions[template_id][-1]
        if latest.agency_id != agency_id or latest.version != expected:
            return False
        if self._taken(dataclasses.replace(latest, name=name), other_than=template_id):
            raise ports.Conflict("template name")
        return True

    async def get(self, agency_id: str, template_id: str, version: int = 0) -> TemplateVersion | None:
        versions = self.versions.get(template_id, [])
        if not versions or versions[0].agency_id != agency_id:
            return None
        return versions[-1] if version == 0 else next((v for v in versions if v.version == version), None)

    async def find_by_name(self, agency_id: str, channel: Channel, name: str) -> TemplateVersion | None:
        return next(
            (t for t in self._latest() if (t.agency_id, t.channel, t.name) == (agency_id, channel, name)),
            None,
        )

    async def list_latest(
        self, agency_id: str, channel: Channel | None, after: tuple[str, str] | None, limit: int
    ) -> list[TemplateVersion]:
        found = sorted(
            (t for t in self._latest() if t.agency_id == agency_id and channel in (None, t.channel)),
            key=lambda t: (t.name, t.id),
        )
        return [t for t in found if after is None or (t.name, t.id) > after][:limit]

    async def get_latest_many(self, template_ids: set[str]) -> dict[str, TemplateVersion]:
        return {i: self.versions[i][-1] for i in template_ids if i in self.versions}


class FakeBatches(ports.BatchRepository):
    def __init__(self, uow: FakeNotifyUnitOfWork) -> None:
        self.rows: dict[str, dict[str, Any]] = uow.batch_rows

    async def add(self, row: dict[str, Any]) -> None:
        if await self.by_idempotency_key(row["agency_id"], row["idempotency_key"]):
            raise ports.Conflict("batch idempotency key")
        self.rows[row["id"]] = dict(row)

    async def get(self, agency_id: str, batch_id: str) -> dict[str, Any] | None:
        row = self.rows.get(batch_id)
        return dict(row) if row and row["agency_id"] == agency_id else None

    async def by_idempotency_key(self, agency_id: str, key: str) -> dict[str, Any] | None:
        return next(
            (
                dict(r)
                for r in self.rows.values()
                if (r["agency_id"], r["idempotency_key"]) == (agency_id, key)
            ),
            None,
        )


class FakeCallbacks(ports.CallbackRepository):
    def __init__(self, uow: FakeNotifyUnitOfWork) -> None:
        self.configs: dict[str, CallbackConfig] = uow.callback_configs
        self.queue: dict[str, tuple[CallbackDue, datetime]] = uow.callback_rows

    async def get(self, agency_id: str) -> CallbackConfig | None:
        return self.configs.get(agency_id)

    async def for_agencies(self, agency_ids: Iterable[str]) -> dict[str, CallbackConfig]:
        return {a: self.configs[a] for a in set(agency_ids) if a in self.configs}

    async def save(self, config: CallbackConfig, exists: bool) -> None:
        self.configs[config.agency_id] = config

    async def remove(self, agency_id: str) -> None:
        self.configs.pop(agency_id, None)

    async def enqueue(self, due: Sequence[CallbackDue], now: datetime) -> None:
        for d in due:
            self.queue[d.id] = (d, now)

    async def claim(self, limit: int, lease_s: float, now: datetime) -> list[CallbackDue]:
        due = sorted((at, d.id) for d, at in self.queue.values() if at <= now)[:limit]
        claimed = []
        for _, did in due:
            d, _ = self.queue[did]
            self.queue[did] = (d, now + timedelta(seconds=lease_s))
            claimed.append(d)
        return claimed

    async def delivered(self, delivery_id: str) -> None:
        self.queue.pop(delivery_id, None)

    async def retry_at(self, delivery_id: str, due_at: datetime) -> None:
        d, _ = self.queue[delivery_id]
        self.queue[delivery_id] = (dataclasses.replace(d, attempts=d.attempts + 1), due_at)


class FakeUsage(ports.UsageRepository):
    def __init__(self, uow: FakeNotifyUnitOfWork) -> None:
        self.counts: dict[tuple[str, str, str], int] = uow.usage_counts

    async def add_within_cap(self, agency_id: str, channel: str, day: str, count: int, cap: int) -> bool:
        used = self.counts.get((agency_id, channel, day), 0)
        if used + count > cap:
            return False
        self.counts[(agency_id, channel, day)] = used + count
        return True


class FakeContacts(ports.ContactRepository):
    def __init__(self, uow: FakeNotifyUnitOfWork) -> None:
        self.rows: dict[str, tuple[Contact, datetime]] = uow.contact_rows

    async def get(self, personal_id: str) -> Contact | None:
        found = self.rows.get(personal_id.strip())
        return found[0] if found else None

    async def change_time(self, personal_id: str) -> datetime | None:
        found = self.rows.get(personal_id.strip())
        return found[1] if found else None

    async def put(self, personal_id: str, contact: Contact, change_time: datetime, now: datetime) -> None:
        self.rows[personal_id.strip()] = (contact, change_time)

    async def remove(self, personal_id: str) -> None:
        self.rows.pop(personal_id.strip(), None)


class FakeInbox(ports.Inbox):
    def __init__(self, uow: FakeNotifyUnitOfWork) -> None:
        self.seen: set[tuple[str, str]] = uow.processed_events

    async def first_delivery(self, consumer: str, event_id: str) -> bool:
        if (consumer, event_id) in self.seen:
            return False
        self.seen.add((consumer, event_id))
        return True


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


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 12, 5, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FakeCallbackUrls:
    """The SSRF guard without DNS: the URL rules, and names resolved from a table (``resolves``)."""

    def __init__(self, resolves: dict[str, str] | None = None) -> None:
        self.resolves = resolves or {}

    async def problem(self, url: str) -> str | None:
        problem = url_problem(url, False)
        if problem:
            return problem
        host = url.split("//", 1)[1].split("/", 1)[0].split(":", 1)[0]
        address = self.resolves.get(host, "93.184.216.34")
        private = address.startswith(("10.", "127.", "192.168.", "169.254."))
        return f"{host} resolves to a non-public address" if private else None


@dataclass
class FakeProvider:
    """Answers each send with the next outcome of ``script`` (the last one repeats); records what it got."""

    script: list[Outcome] = field(default_factory=lambda: [Outcome(Status.DELIVERED, provider="fake")])
    sent: list[Notification] = field(default_factory=list)

    async def send(self, n: Notification) -> Outcome:
        self.sent.append(n)
        return self.script[min(len(self.sent), len(self.script)) - 1]


@dataclass
class FakePoster:
    """A callback receiver that answers from ``answers`` (True = 2xx; the last one repeats)."""

    answers: list[bool] = field(default_factory=lambda: [True])
    posts: list[tuple[str, str, bytes]] = field(default_factory=list)

    async def post(self, url: str, secret: str, body: bytes) -> bool:
        self.posts.append((url, secret, body))
        return self.answers[min(len(self.posts), len(self.answers)) - 1]


def deps(clock: FakeClock | None = None, **overrides: Any) -> Deps:
    """Handler collaborators with generous limits unless overridden."""
    values: dict[str, Any] = {
        "limiter": RateLimiter(10_000.0, 10_000.0),
        "retry": RetryPolicy(1.0, 300.0, 24 * 3600.0),
        "daily_caps": {"email": 100_000, "sms": 20_000},
        "callback_urls": FakeCallbackUrls(),
        "clock": clock or FakeClock(),
    }
    return Deps(**{**values, **overrides})
