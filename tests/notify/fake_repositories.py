"""In-memory repositories of notify's fake unit of work (``fakes.py``): the same abstract interfaces
(``handlers/ports.py``) as the SQL ones, over plain containers the unit of work restores on rollback."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lienthong_notify.domain.callbacks import CallbackConfig, CallbackDue
from lienthong_notify.domain.channels import Channel, Status, may_move
from lienthong_notify.domain.contacts import Contact
from lienthong_notify.domain.notifications import (
    Claimed,
    NewNotification,
    Notification,
    NotificationFilter,
)
from lienthong_notify.domain.templates import TemplateVersion
from lienthong_notify.handlers import ports

#: The fake unit of work whose containers these repositories share (``tests/notify/fakes.py``). Named, not
#: imported: fakes.py imports this module, and the import graph stays free of cycles (tools/import_cycles.py).
FakeNotifyUnitOfWork = Any

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
