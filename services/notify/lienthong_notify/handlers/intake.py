"""Accepting one-off sends: concurrent calls share one transaction ("group commit").

A send costs a handful of database round trips whatever its size, and on a busy host each round trip, not
Python, is what a send costs. So :class:`SendIntake` queues concurrent sends and stores each group in one
transaction: one query for the templates, one multi-row INSERT ... ON CONFLICT DO NOTHING (the idempotency
check), one for the queue rows and one guarded upsert per agency and channel for the daily cap. A lone call
is flushed at once (no added wait); calls arriving meanwhile form the next group. Every item still gets its
own answer: its notification, its validation error, RATE_LIMITED or DAILY_CAP_REACHED.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass

from lienthong_runtime.errors import DomainError, Unavailable

from ..domain.notifications import NewNotification, Notification
from .ports import Deps, NotifyUnitOfWork, UnitsOfWork
from .sending import SendCommand, check_common, count_daily, fingerprint_of, key_reused, prepare, take_rate

#: Most sends stored in one transaction.
MAX_GROUP = 200


@dataclass
class _Pending:
    cmd: SendCommand
    fingerprint: str
    future: asyncio.Future[Notification]
    new: NewNotification | None = None


class SendIntake:
    """Stores one-off sends in groups; ``send`` answers exactly as a one-at-a-time implementation would."""

    def __init__(self, units: UnitsOfWork, deps: Deps, max_group: int = MAX_GROUP) -> None:
        self.units = units
        self.deps = deps
        self.max_group = max_group
        self._queue: list[_Pending] = []
        self._draining = False
        self._task: asyncio.Task[None] | None = None

    async def send(self, cmd: SendCommand) -> Notification:
        """Accept one message; a retry with the same idempotency key returns the same notification."""
        check_common(cmd.reference, cmd.idempotency_key, cmd.test, cmd.simulated_outcome)
        pending = _Pending(cmd, fingerprint_of(cmd), asyncio.get_running_loop().create_future())
        self._queue.append(pending)
        if not self._draining:
            self._draining = True
            self._task = asyncio.get_running_loop().create_task(self._drain())  # keep a reference
        return await asyncio.shield(pending.future)

    async def _drain(self) -> None:
        try:
            while self._queue:
                group, self._queue = self._queue[: self.max_group], self._queue[self.max_group :]
                await self._flush(group)
        finally:
            self._draining = False

    async def _flush(self, group: list[_Pending]) -> None:
        try:
            async with self.units() as uow:
                accepted = await self._store(uow, group)
        except Exception as exc:  # never leave a caller waiting; the interceptor maps a database outage
            for p in group:
                _settle(p, error=exc)
            return
            for p in group:
                _settle(p, error=exc)
            return
        for p in accepted:
            _settle(p, result=p.new.notification)  # type: ignore[union-attr]
        await self._answer_retries([p for p in group if not p.future.done()])
        if accepted:
            self.deps.wake()

    async def _store(self, uow: NotifyUnitOfWork, group: list[_Pending]) -> list[_Pending]:
        now = self.deps.clock()
        known = await uow.notifications.by_idempotency_keys(
            [(p.cmd.agency_id, p.cmd.idempotency_key) for p in group]
        )
        for p in group:  # retries answered from the stored notification, without re-validation
            if (p.cmd.agency_id, p.cmd.idempotency_key) in known:
                notification, fingerprint = known[(p.cmd.agency_id, p.cmd.idempotency_key)]
                _settle(p, result=notification) if fingerprint == p.fingerprint else _settle(
                    p, error=key_reused()
                )
        group = [p for p in group if not p.future.done()]
        templates = await uow.templates.get_latest_many({p.cmd.template_id for p in group})
        valid = []
        for p in group:
            try:
                p.new = prepare(self.deps, templates.get(p.cmd.template_id), p.cmd, p.fingerprint, now)
                valid.append(p)
            except DomainError as exc:
                _settle(p, error=exc)
        stored = await uow.notifications.insert_unless_key_used([p.new for p in valid])  # type: ignore[misc]
        accepted, refused = [], []
        for p in (p for p in valid if p.new.notification.id in stored):  # type: ignore[union-attr]
            try:
                take_rate(self.deps, p.cmd.agency_id, 1)  # after the key check: a retry is never refused
                accepted.append(p)
            except DomainError as exc:
                refused.append(p.new.notification.id)  # type: ignore[union-attr]
                _settle(p, error=exc)
        accepted = await self._within_caps(uow, accepted, refused, now)
        await uow.notifications.discard(refused)
        await uow.notifications.enqueue([p.new for p in accepted])  # type: ignore[misc]
        return accepted

    async def _within_caps(
        self, uow: NotifyUnitOfWork, accepted: list[_Pending], refused: list[str], now: object
    ) -> list[_Pending]:
        groups: dict[tuple[str, object], list[_Pending]] = defaultdict(list)
        for p in accepted:
            if not p.cmd.test:  # test credentials do not count toward the cap
                groups[(p.cmd.agency_id, p.cmd.channel)].append(p)
        over: set[int] = set()
        for (agency, channel), items in groups.items():
            try:
                await count_daily(self.deps, uow, agency, channel, len(items), now)  # type: ignore[arg-type]
                continue
            except DomainError:
                pass
            for p in items:  # the group does not fit: as many as fit, in arrival order
                try:
                    await count_daily(self.deps, uow, agency, channel, 1, now)  # type: ignore[arg-type]
                except DomainError as exc:
                    over.add(id(p))
                    refused.append(p.new.notification.id)  # type: ignore[union-attr]
                    _settle(p, error=exc)
        return [p for p in accepted if id(p) not in over]

    async def _answer_retries(self, retries: list[_Pending]) -> None:
        """Sends whose key was already used: the stored notification if the request is the same."""
        if not retries:
            return
        async with self.units() as uow:
            known = await uow.notifications.by_idempotency_keys(
                [(p.cmd.agency_id, p.cmd.idempotency_key) for p in retries]
            )
        for p in retries:
            existing = known.get((p.cmd.agency_id, p.cmd.idempotency_key))
            if existing is None:
                _settle(p, error=Unavailable("concurrent send with the same key; retry", reason="RETRY"))
            elif existing[1] != p.fingerprint:
                _settle(p, error=key_reused())
            else:
                _settle(p, result=existing[0])


def _settle(p: _Pending, *, result: Notification | None = None, error: BaseException | None = None) -> None:
    if p.future.done():
        return
    if error is not None:
        p.future.set_exception(error)
    else:
        p.future.set_result(result)  # type: ignore[arg-type]
