"""Delivery-status callbacks: who gets told of which status, and how the POST is signed."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from lienthong_runtime import validation

from .channels import FINAL, Status
from .notifications import Notification


@dataclass(frozen=True)
class CallbackConfig:
    """An agency's callback: URL, status filter (empty = every final status) and signing secret."""

    agency_id: str
    url: str
    statuses: frozenset[Status]
    secret: str
    secret_create_time: datetime
    create_time: datetime
    update_time: datetime

    def wants(self, status: Status) -> bool:
        return status in self.statuses if self.statuses else status in FINAL


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def url_problem(url: str, allow_http_localhost: bool, allowed_hosts: Iterable[str] = ()) -> str | None:
    """Why ``url`` cannot be a callback URL, or None: the runtime's URL rules, and no host that is loopback,
    private, link-local or a metadata service unless the deployment allows it (its resolved addresses are
    checked by the handler, and again at connection time by the sender)."""
    try:
        validation.url(
            url,
            allow_http_localhost=allow_http_localhost,
            refuse_private_hosts=True,
            allowed_hosts=AllowedHosts(allowed_hosts),
        )
    except validation.Invalid as exc:
        return str(exc)
    return None


class AllowedHosts:
    """An allow-list as the runtime's URL check reads it (host names, addresses and CIDR networks)."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.allow = validation.AllowList(entries)

    def __contains__(self, host: object) -> bool:
        return isinstance(host, str) and self.allow.allows_host(host)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    secrets_: Iterable[str], header: str, body: bytes, now: int, tolerance: int = 300
) -> bool:
    """Constant-time check of a signature header against any of ``secrets_``, within ``tolerance`` seconds."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    ok = False
    for secret in secrets_:
        ok |= hmac.compare_digest(signature(secret, timestamp, body), f"t={timestamp},v1={given}")
    return ok


@dataclass(frozen=True)
class CallbackDue:
    """A callback POST still to make: its body is fixed when the status changes."""

    id: str
    agency_id: str
    payload: bytes
    attempts: int


def payload(n: Notification, now: datetime) -> bytes:
    """The JSON body of a status callback (no message content, only what the agency needs to match it)."""
    return json.dumps(
        {
            "id": n.id,
            "reference": n.reference,
            "batch_id": n.batch_id,
            "channel": n.channel.value,
            "status": f"NOTIFICATION_STATUS_{n.status.value}",
            "failure_reason": n.failure_reason,
            "test": n.test,
            "status_time": now.isoformat(),
        },
        separators=(",", ":"),
    ).encode()


def give_up(attempts_made: int, max_attempts: int) -> bool:
    """Whether a failed POST (the ``attempts_made``-th) is the last one tried."""
    return attempts_made >= max_attempts
