"""Create and update citizen records: validation, optimistic concurrency, history and outbox events."""

from __future__ import annotations

import hmac
import json
from dataclasses import replace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lienthong.registry.v1 import events_pb2
from lienthong_runtime.errors import (
    Aborted,
    AlreadyExists,
    FieldViolation,
    InvalidArgument,
    NotFound,
    invalid,
)
from lienthong_runtime.events import add_event, envelope

from ..adapters import access_log_store, create_keys, sealed_events
from ..adapters.citizen_store import to_us
from ..adapters.tables import outbox
from ..domain.access_log import AccessAction
from ..domain.citizen import DISCLOSABLE_FIELDS, Citizen, apply_update, changed_fields, to_record
from ..domain.validation import validate
from .context import Caller, Registry, check_legal_text, check_personal_id

SOURCE = "registry"
WRITE_PURPOSE = "registration"
MAX_KEY = 255


async def create_citizen(
    reg: Registry, caller: Caller, citizen: Citizen, legal_reason: str, idempotency_key: str = ""
) -> Citizen:
    """Register a new record as version 1; ALREADY_EXISTS (CITIZEN_EXISTS) if the personal ID is taken.

    The record, its history row, its event and its WRITE access-log entry commit in one transaction. With an
    idempotency key, a retry of the same request returns the record as first created (version 1), and the same
    key with a different request is ALREADY_EXISTS (IDEMPOTENCY_KEY_REUSED)."""
    reason = check_legal_text(legal_reason, "legal_reason")
    key = _check_key(idempotency_key)
    now = reg.now()
    record = validate(citizen, reg.today()).with_version(1, now)
    changed = record.set_fields()
    event = events_pb2.CitizenCreated(
        personal_id=record.personal_id, version=1, actor_agency_id=caller.agency_id
    )
    claim = create_keys.CreateKey(
        _fingerprint(reg, record, reason), reg.index.personal_id(record.personal_id)
    )
    async with reg.sessions() as session, session.begin():
        if key:
            replayed = await _replay(reg, session, caller, key, claim, record.personal_id)
            if replayed is not None:
                return replayed
        try:
            await reg.citizens.insert(
                session, record, (caller.agency_id, caller.client_id), reason, changed, to_us(now)
            )
        except AlreadyExists:
            # A concurrent retry with the same key may have created it: answer as that retry would.
            replayed = await _replay(reg, session, caller, key, claim, record.personal_id) if key else None
            if replayed is not None:
                return replayed
            raise
        if key:
            try:
                async with session.begin_nested():
                    await create_keys.record(session, caller.agency_id, key, claim, to_us(now))
            except IntegrityError:  # the same key, used concurrently for another record
                raise _key_reused() from None
        await add_event(
            session,
            outbox,
            sealed_events.seal(
                reg.keyring, envelope(SOURCE, event, subject=record.personal_id, agency_id=caller.agency_id)
            ),
        )
        await access_log_store.append_in_transaction(
            session,
            [
                reg.log_entry(
                    caller,
                    AccessAction.WRITE,
                    record.personal_id,
                    purpose=WRITE_PURPOSE,
                    legal_basis=reason,
                    fields=changed,
                )
            ],
        )
    await reg.written(caller)
    return record


def _check_key(key: str) -> str:
    if key and (len(key) > MAX_KEY or not key.isprintable()):
        raise invalid("idempotency_key", f"must be 1 to {MAX_KEY} printable characters")
    return key


def _fingerprint(reg: Registry, record: Citizen, reason: str) -> bytes:
    """A keyed digest of what the create asks for (the record's fields and the legal reason, not its times)."""
    request = json.dumps(
        {"record": to_record(record), "legal_reason": reason}, sort_keys=True, ensure_ascii=False
    )
    return reg.index.digest("create-request", request)


def _key_reused() -> AlreadyExists:
    return AlreadyExists(
        "this idempotency key was used with a different record or legal reason",
        reason="IDEMPOTENCY_KEY_REUSED",
    )


async def _replay(
    reg: Registry,
    session: AsyncSession,
    caller: Caller,
    key: str,
    claim: create_keys.CreateKey,
    personal_id: str,
) -> Citizen | None:
    """The record as first created when ``key`` was already used for this same request; None if unused."""
    found = await create_keys.find(session, caller.agency_id, key)
    if found is None:
        return None
    if not (
        hmac.compare_digest(found.fingerprint, claim.fingerprint)
        and hmac.compare_digest(found.pid_index, claim.pid_index)
    ):
        raise _key_reused()
    first = await reg.citizens.history(session, personal_id, before=2, limit=1)
    if not first:  # the key's record is gone (cannot happen: records are never deleted)
        raise _key_reused()
    original, meta = first[0]
    return replace(original, create_time=meta.created, update_time=meta.created)


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
        # Last in the transaction (the chain's lock is held until commit): the version and its entry commit
        # together or not at all.
        await access_log_store.append_in_transaction(
            session,
            [
                reg.log_entry(
                    caller,
                    AccessAction.WRITE,
                    personal_id,
                    purpose=WRITE_PURPOSE,
                    legal_basis=reason,
                    fields=changed,
                )
            ],
        )
    await reg.written(caller)
    return updated
