"""Create and update citizen records: validation, optimistic concurrency, history and outbox events."""

from __future__ import annotations

from lienthong.registry.v1 import events_pb2
from lienthong_runtime.errors import Aborted, FieldViolation, InvalidArgument, NotFound, invalid
from lienthong_runtime.events import add_event, envelope

from ..adapters import sealed_events
from ..adapters.citizen_store import to_us
from ..adapters.tables import outbox
from ..domain.access_log import AccessAction
from ..domain.citizen import DISCLOSABLE_FIELDS, Citizen, apply_update, changed_fields
from ..domain.validation import validate
from .context import Caller, Registry, check_legal_text, check_personal_id

SOURCE = "registry"
WRITE_PURPOSE = "registration"


async def create_citizen(reg: Registry, caller: Caller, citizen: Citizen, legal_reason: str) -> Citizen:
    """Register a new record as version 1; ALREADY_EXISTS (CITIZEN_EXISTS) if the personal ID is taken."""
    reason = check_legal_text(legal_reason, "legal_reason")
    now = reg.now()
    record = validate(citizen, reg.today()).with_version(1, now)
    changed = record.set_fields()
    event = events_pb2.CitizenCreated(
        personal_id=record.personal_id, version=1, actor_agency_id=caller.agency_id
    )
    async with reg.sessions() as session, session.begin():
        await reg.citizens.insert(
            session, record, (caller.agency_id, caller.client_id), reason, changed, to_us(now)
        )
        await add_event(
            session,
            outbox,
            sealed_events.seal(
                reg.keyring, envelope(SOURCE, event, subject=record.personal_id, agency_id=caller.agency_id)
            ),
        )
    reg.wake_relay()
    await reg.log.append(
        [
            reg.log_entry(
                caller,
                AccessAction.WRITE,
                record.personal_id,
                purpose=WRITE_PURPOSE,
                legal_basis=reason,
                fields=changed,
            )
        ]
    )
    return record


def _check_mask(mask: list[str]) -> list[str]:
    if not mask:
        raise invalid("update_mask", "name at least one field to change")
    bad = [name for name in mask if name not in DISCLOSABLE_FIELDS]
    if bad:
        raise InvalidArgument(
            "update_mask names fields that cannot be changed",
            reason="UPDATE_MASK_INVALID",
            field_violations=[FieldViolation("update_mask", f"{name!r} cannot be changed") for name in bad],
        )
    return list(dict.fromkeys(mask))


def _stale(current: int, expected: int) -> Aborted:
    return Aborted(
        f"the record is at version {current}, not {expected}: re-read it and retry",
        reason="VERSION_MISMATCH",
        metadata={"current_version": str(current), "expected_version": str(expected)},
    )


async def update_citizen(
    reg: Registry,
    caller: Caller,
    personal_id: str,
    expected_version: int,
    changes: Citizen,
    mask: list[str],
    legal_reason: str,
) -> Citizen:
    """Write a new version if the record is still at ``expected_version`` (ABORTED VERSION_MISMATCH otherwise)."""
    check_personal_id(personal_id)
    if expected_version < 1:
        raise invalid("expected_version", "is required: the version the change is based on")
    fields = _check_mask(mask)
    reason = check_legal_text(legal_reason, "legal_reason")
    now = reg.now()
    async with reg.sessions() as session, session.begin():
        current = await reg.citizens.get(session, personal_id)
        if current is None:
            raise NotFound("no citizen with this personal ID", reason="CITIZEN_NOT_FOUND")
        if current.version != expected_version:
            raise _stale(current.version, expected_version)
        updated = validate(apply_update(current, changes, fields), reg.today())
        changed = changed_fields(current, updated)
        if not changed:
            raise invalid("update_mask", "the update changes nothing", reason="NO_CHANGE")
        updated = updated.with_version(expected_version + 1, now)
        if not await reg.citizens.update(
            session,
            updated,
            expected_version,
            (caller.agency_id, caller.client_id),
            reason,
            changed,
            to_us(now),
        ):
            raise _stale(expected_version + 1, expected_version)  # a concurrent update committed first
        event = events_pb2.CitizenChanged(
            personal_id=personal_id,
            version=updated.version,
            changed_fields=changed,
            legal_reason=reason,
            actor_agency_id=caller.agency_id,
        )
        await add_event(
            session,
            outbox,
            sealed_events.seal(
                reg.keyring, envelope(SOURCE, event, subject=personal_id, agency_id=caller.agency_id)
            ),
        )
    reg.wake_relay()
    await reg.log.append(
        [
            reg.log_entry(
                caller,
                AccessAction.WRITE,
                personal_id,
                purpose=WRITE_PURPOSE,
                legal_basis=reason,
                fields=changed,
            )
        ]
    )
    return updated
