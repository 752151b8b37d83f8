"""Create and update citizen records: validation, optimistic concurrency, history and outbox events."""

from __future__ import annotations

import hmac
import json
from dataclasses import replace

from lienthong.registry.v1 import events_pb2
from lienthong_runtime.errors import (
    Aborted,
    AlreadyExists,
    FieldViolation,
    InvalidArgument,
    NotFound,
    invalid,
)

from ..domain.access_log import AccessAction
from ..domain.citizen import DISCLOSABLE_FIELDS, Citizen, apply_update, changed_fields, to_record
from ..domain.validation import validate
from .context import Caller, Services, check_legal_text, check_personal_id, to_us
from .ports import CreateKey, RegistryUnitOfWork

WRITE_PURPOSE = "registration"
MAX_KEY = 255


async def create_citizen(
    uow: RegistryUnitOfWork,
    services: Services,
    caller: Caller,
    citizen: Citizen,
    legal_reason: str,
    idempotency_key: str = "",
) -> Citizen:
    """Register a new record as version 1; ALREADY_EXISTS (CITIZEN_EXISTS) if the personal ID is taken.

    The record, its history row, its event and its WRITE access-log entry commit in one transaction. With an
    idempotency key, a retry of the same request returns the record as first created (version 1), and the same
    key with a different request is ALREADY_EXISTS (IDEMPOTENCY_KEY_REUSED)."""
    reason = check_legal_text(legal_reason, "legal_reason")
    key = _check_key(idempotency_key)
    now = services.now()
    record = validate(citizen, services.today()).with_version(1, now)
    changed = record.set_fields()
    claim = CreateKey(_fingerprint(services, record, reason), services.index.personal_id(record.personal_id))
    async with uow:
        if key:
            replayed = await _replay(uow, caller, key, claim, record.personal_id)
            if replayed is not None:
                return replayed
        try:
            await uow.citizens.add(record, caller.key, reason, changed, to_us(now))
        except AlreadyExists:
            # A concurrent retry with the same key may have created it: answer as that retry would.
            replayed = await _replay(uow, caller, key, claim, record.personal_id) if key else None
            if replayed is not None:
                return replayed
            raise
        if key and not await uow.create_keys.add(caller.agency_id, key, claim, to_us(now)):
            raise _key_reused()  # the same key, used concurrently for another record
        uow.publish(
            events_pb2.CitizenCreated(
                personal_id=record.personal_id, version=1, actor_agency_id=caller.agency_id
            ),
            subject=record.personal_id,
            agency_id=caller.agency_id,
        )
        uow.access_log.append(
            [
                services.log_entry(
                    caller,
                    AccessAction.WRITE,
                    record.personal_id,
                    purpose=WRITE_PURPOSE,
                    legal_basis=reason,
                    fields=changed,
                )
            ]
        )
    await services.reads.wrote(caller.key)
    return record


def _check_key(key: str) -> str:
    if key and (len(key) > MAX_KEY or not key.isprintable()):
        raise invalid("idempotency_key", f"must be 1 to {MAX_KEY} printable characters")
    return key


def _fingerprint(services: Services, record: Citizen, reason: str) -> bytes:
    """A keyed digest of what the create asks for (the record's fields and the legal reason, not its times)."""
    request = json.dumps(
        {"record": to_record(record), "legal_reason": reason}, sort_keys=True, ensure_ascii=False
    )
    return services.index.digest("create-request", request)


def _key_reused() -> AlreadyExists:
    return AlreadyExists(
        "this idempotency key was used with a different record or legal reason",
        reason="IDEMPOTENCY_KEY_REUSED",
    )


async def _replay(
    uow: RegistryUnitOfWork, caller: Caller, key: str, claim: CreateKey, personal_id: str
) -> Citizen | None:
    """The record as first created when ``key`` was already used for this same request; None if unused."""
    found = await uow.create_keys.find(caller.agency_id, key)
    if found is None:
        return None
    if not (
        hmac.compare_digest(found.fingerprint, claim.fingerprint)
        and hmac.compare_digest(found.pid_index, claim.pid_index)
    ):
        raise _key_reused()
    first = await uow.citizens.first_version(personal_id)
    if first is None:  # the key's record is gone (cannot happen: records are never deleted)
        raise _key_reused()
    original, meta = first
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
    uow: RegistryUnitOfWork,
    services: Services,
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
    now = services.now()
    async with uow:
        current = await uow.citizens.get(personal_id)
        if current is None:
            raise NotFound("no citizen with this personal ID", reason="CITIZEN_NOT_FOUND")
        if current.version != expected_version:
            raise _stale(current.version, expected_version)
        updated = validate(apply_update(current, changes, fields), services.today())
        changed = changed_fields(current, updated)
        if not changed:
            raise invalid("update_mask", "the update changes nothing", reason="NO_CHANGE")
        updated = updated.with_version(expected_version + 1, now)
        if not await uow.citizens.update(updated, expected_version, caller.key, reason, changed, to_us(now)):
            raise _stale(expected_version + 1, expected_version)  # a concurrent update committed first
        uow.publish(
            events_pb2.CitizenChanged(
                personal_id=personal_id,
                version=updated.version,
                changed_fields=changed,
                legal_reason=reason,
                actor_agency_id=caller.agency_id,
            ),
            subject=personal_id,
            agency_id=caller.agency_id,
        )
        # Written last in the transaction (the chain's lock is held until commit): the version and its entry
        # commit together or not at all.
        uow.access_log.append(
            [
                services.log_entry(
                    caller,
                    AccessAction.WRITE,
                    personal_id,
                    purpose=WRITE_PURPOSE,
                    legal_basis=reason,
                    fields=changed,
                )
            ]
        )
    await services.reads.wrote(caller.key)
    return updated
