"""Processing status of a document at one recipient: forward only, final states never move back.

The states are those the issue names from Decision 28/2018/QĐ-TTg's status exchange: arrived, refused (with a
reason), received/registered, assigned, processing, returned, completed, plus DELIVERED, the platform's own
"in the inbox, not yet acknowledged".
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from lienthong_runtime.errors import invalid

MAX_REASON = 2000


class Status(IntEnum):
    """In forward order; the value is the rank."""

    DELIVERED = 1
    ARRIVED = 2
    REFUSED = 3
    RECEIVED = 4
    ASSIGNED = 5
    PROCESSING = 6
    RETURNED = 7
    COMPLETED = 8

    @property
    def final(self) -> bool:
        return self in FINAL


FINAL = frozenset({Status.REFUSED, Status.RETURNED, Status.COMPLETED})
#: States that may be reported with ReportStatus (DELIVERED is the platform's, ARRIVED comes by acknowledgement).
REPORTABLE = frozenset(Status) - {Status.DELIVERED}
#: Refusal belongs to the reception step: once registered, a document is returned rather than refused.
REFUSABLE_FROM = frozenset({Status.DELIVERED, Status.ARRIVED})


class Recall(StrEnum):
    NONE = "NONE"
    REQUESTED = "REQUESTED"
    ACKNOWLEDGED = "ACKNOWLEDGED"


def advance(current: Status, reported: Status, reason: str) -> Status | None:
    """The new state, or None when the report is not ahead of ``current`` (late, repeated, after a final)."""
    if reported not in REPORTABLE:
        raise invalid("status", f"{reported.name} cannot be reported", reason="STATUS_NOT_REPORTABLE")
    if reported in (Status.REFUSED, Status.RETURNED) and not reason.strip():
        raise invalid("reason", f"is required for {reported.name}", reason="STATUS_REASON_REQUIRED")
    if len(reason) > MAX_REASON:
        raise invalid("reason", f"has more than {MAX_REASON} characters")
    if current.final:
        return None
    if reported is Status.REFUSED:
        return reported if current in REFUSABLE_FROM else None
    return reported if reported > current else None
