"""Idempotency keys of the creates that hand out a secret (CreateAgency, CreateClient): a retry of a create that
committed gets the answer the first call had, including the secret (kept sealed for 24 hours), never a second
agency or client."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from lienthong_runtime.errors import Aborted, AlreadyExists, FailedPrecondition, invalid

from ..domain.audit import Caller
from ..domain.records import IdempotencyConflict, StoredCreate
from .ports import IdentityUnitOfWork

MAX_KEY = 255


def check_key(key: str) -> str:
    if key and (len(key) > MAX_KEY or not key.isprintable()):
        raise invalid("idempotency_key", f"must be 1 to {MAX_KEY} printable characters")
    return key


def fingerprint(*parts: object) -> str:
    """A digest of the request's parameters (none of them secret)."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


async def replay(
    uow: IdentityUnitOfWork, caller: Caller, operation: str, key: str, digest: str, now: datetime
) -> StoredCreate | None:
    """What ``key`` created for this same request (None when unused); refuses it for another request."""
    found = await uow.create_requests.find(caller.agency_id, operation, key, now)
    if found is None:
        return None
    if not hmac.compare_digest(found.fingerprint, digest):
        raise AlreadyExists(
            "this idempotency key was used with different parameters", reason="IDEMPOTENCY_KEY_REUSED"
        )
    if found.secret is None:
        raise FailedPrecondition(
            "this idempotency key is more than 24 hours old and its secret is no longer kept; create again "
            "with a new key",
            reason="IDEMPOTENCY_KEY_EXPIRED",
        )
    return found


async def remember(
    uow: IdentityUnitOfWork,
    caller: Caller,
    operation: str,
    key: str,
    digest: str,
    *,
    agency_id: str,
    client_id: str,
    secret: str,
    now: datetime,
) -> None:
    try:
        await uow.create_requests.add(
            caller.agency_id,
            operation,
            key,
            fingerprint=digest,
            agency_id=agency_id,
            client_id=client_id,
            secret=secret,
            now=now,
        )
    except (
        IdempotencyConflict
    ):  # a concurrent call with the same key committed first: nothing of ours is kept
        raise Aborted(
            "the idempotency key is being used concurrently; retry", reason="CONCURRENT_MODIFICATION"
        ) from None
