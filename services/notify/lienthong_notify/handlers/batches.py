"""Batch send: one template to up to 1,000 recipients, each validated and reported on its own."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lienthong_runtime import validation
from lienthong_runtime.errors import FieldViolation, InvalidArgument, NotFound
from lienthong_runtime.ids import new_id

from ..domain.channels import FINAL, Status
from ..domain.notifications import BULK, NewNotification, request_fingerprint
from ..domain.recipients import InvalidRecipient, normalise
from ..domain.templates import check_personalisation
from .ports import Caller, Conflict, Deps, NotifyUnitOfWork, UnitsOfWork
from .sending import check_common, compose, count_daily, key_reused, load_template, take_rate

#: The documented maximum number of recipients of one SendBatch call.
MAX_BATCH = 1000


@dataclass(frozen=True)
class BatchRecipient:
    recipient: str
    personalisation: Mapping[str, str] = field(default_factory=dict)
    reference: str = ""
    simulated_outcome: str = ""


@dataclass(frozen=True)
class SendBatchCommand:
    template_id: str
    recipients: Sequence[BatchRecipient]
    reference: str = ""
    idempotency_key: str = ""
    reject_all_on_error: bool = False


@dataclass(frozen=True)
class BatchView:
    """A batch row, its per-recipient results (index, notification id, [(field, description)]) and counts."""

    row: dict[str, Any]
    results: list[tuple[int, str, list[tuple[str, str]]]]
    counts: dict[Status, int]

    @property
    def completed(self) -> bool:
        return all(status in FINAL for status in self.counts)


def _check_recipient(
    channel: Any, placeholders: tuple[str, ...], r: BatchRecipient, test: bool
) -> tuple[str, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    recipient = ""
    try:
        recipient = normalise(channel, r.recipient)
    except InvalidRecipient as exc:
        problems.append(("recipient", str(exc)))
    problems += [
        (f"personalisation.{n}", d) for n, d in check_personalisation(placeholders, r.personalisation)
    ]
    bad = validation.problem("reference", validation.plain_text, r.reference, max_length=100)
    if bad is not None:
        problems.append((bad.field, bad.description))
    if r.simulated_outcome and not test:
        problems.append(("simulated_outcome", "needs a test credential (notify.test_mode)"))
    return recipient, problems


async def send_batch(units: UnitsOfWork, deps: Deps, caller: Caller, cmd: SendBatchCommand) -> BatchView:
    """Accept the valid recipients (or none, with ``reject_all_on_error``); idempotent on the key.
    ``units`` makes a unit of work per transaction (a lost race on the key is answered from a second one)."""
    check_common(cmd.reference, cmd.idempotency_key, caller.test, "")
    if not cmd.recipients:
        raise InvalidArgument(
            "recipients is empty", field_violations=[FieldViolation("recipients", "1 to 1000")]
        )
    if len(cmd.recipients) > MAX_BATCH:
        raise InvalidArgument(
            f"at most {MAX_BATCH} recipients per batch",
            reason="BATCH_TOO_LARGE",
            field_violations=[FieldViolation("recipients", f"at most {MAX_BATCH}")],
        )
    fingerprint = request_fingerprint(
        cmd.template_id,
        cmd.reference,
        cmd.reject_all_on_error,
        caller.test,
        *(
            (r.recipient, r.reference, r.simulated_outcome, sorted(r.personalisation.items()))
            for r in cmd.recipients
        ),
    )
    try:
        async with units() as uow:
            existing = await uow.batches.by_idempotency_key(caller.agency_id, cmd.idempotency_key)
            if existing is None:
                batch_id = await _accept(deps, uow, caller, cmd, fingerprint)
            elif existing["fingerprint"] != fingerprint:
                raise key_reused()
            else:
                batch_id = existing["id"]
    except Conflict:
        async with units() as uow:
            existing = await uow.batches.by_idempotency_key(caller.agency_id, cmd.idempotency_key)
        if existing is None:
            raise
        if existing["fingerprint"] != fingerprint:
            raise key_reused() from None
        batch_id = existing["id"]
    deps.wake()
    return await get_batch(units(), caller, batch_id=batch_id)


async def _accept(
    deps: Deps, uow: NotifyUnitOfWork, caller: Caller, cmd: SendBatchCommand, fingerprint: str
) -> str:
    template = await load_template(uow, caller.agency_id, cmd.template_id, None)
    now, batch_id = deps.clock(), new_id()
    results: list[tuple[int, str, list[tuple[str, str]]]] = []
    accepted: list[NewNotification] = []
    for index, r in enumerate(cmd.recipients):
        recipient, problems = _check_recipient(template.channel, template.placeholders, r, caller.test)
        if problems:
            results.append((index, "", problems))
            continue
        n = compose(
            template,
            recipient,
            r.personalisation,
            reference=r.reference,
            batch_id=batch_id,
            test=caller.test,
            simulated=r.simulated_outcome,
            now=now,
        )
        accepted.append(NewNotification(n, None, "", BULK, deps.retry.give_up_time(now)))
        results.append((index, n.id, []))
    rejected = [r for r in results if r[2]]
    if rejected and cmd.reject_all_on_error:
        raise InvalidArgument(
            "some recipients are not valid",
            reason="INVALID_RECIPIENTS",
            field_violations=[
                FieldViolation(f"recipients[{i}].{f}", d) for i, _, problems in rejected for f, d in problems
            ],
        )
    if accepted:
        take_rate(deps, caller.agency_id, len(accepted))
    await uow.notifications.add(accepted)
    await uow.batches.add(
        {
            "id": batch_id,
            "agency_id": caller.agency_id,
            "template_id": template.id,
            "template_version": template.version,
            "channel": template.channel.value,
            "reference": cmd.reference,
            "recipient_count": len(cmd.recipients),
            "accepted_count": len(accepted),
            "rejected_count": len(rejected),
            "idempotency_key": cmd.idempotency_key,
            "fingerprint": fingerprint,
            "results": json.dumps(results, ensure_ascii=False).encode(),
            "create_time": now,
        },
    )
    if not caller.test:
        await count_daily(deps, uow, caller.agency_id, template.channel, len(accepted), now)
    return batch_id


async def get_batch(uow: NotifyUnitOfWork, caller: Caller, *, batch_id: str) -> BatchView:
    """A batch of the agency with counts by status; NOT_FOUND for other agencies' batches."""
    async with uow:
        row = await uow.batches.get(caller.agency_id, batch_id) if batch_id else None
        if row is None:
            raise NotFound("no such batch", reason="BATCH_NOT_FOUND")
        counts = await uow.notifications.status_counts(caller.agency_id, batch_id)
    results = [
        (int(i), str(nid), [(str(f), str(d)) for f, d in problems])
        for i, nid, problems in json.loads(row["results"])
    ]
    return BatchView(row, results, counts)
