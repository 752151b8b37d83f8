"""The security audit trail: who did what, when, from where, with which outcome. Never a secret or a token."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from lienthong_runtime.ids import new_id


class Outcome(StrEnum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"


@dataclass(frozen=True)
class AuditEvent:
    action: str
    outcome: Outcome
    actor: str
    time: datetime
    agency_id: str = ""
    target: str = ""
    source_ip: str = ""
    reason: str = ""
    request_id: str = ""
    id: str = field(default_factory=lambda: f"au_{new_id()}")


@dataclass(frozen=True)
class Caller:
    """Who is calling and from where, as the audit trail records it."""

    actor: str = "anonymous"
    agency_id: str = ""
    source_ip: str = ""
    request_id: str = ""
    #: The calling token's id and expiry (citizen RPCs revoke it on logout/password change).
    token_id: str = ""
    token_expires_at: float = 0.0
    scopes: frozenset[str] = frozenset()

    def event(
        self,
        action: str,
        now: datetime,
        *,
        target: str = "",
        outcome: Outcome = Outcome.SUCCESS,
        reason: str = "",
        actor: str | None = None,
        agency_id: str | None = None,
    ) -> AuditEvent:
        return AuditEvent(
            action=action,
            outcome=outcome,
            actor=actor if actor is not None else self.actor,
            agency_id=self.agency_id if agency_id is None else agency_id,
            target=target,
            time=now,
            source_ip=self.source_ip,
            reason=reason,
            request_id=self.request_id,
        )
