"""Delivery channels and notification statuses with their forward-only order."""

from __future__ import annotations

from enum import Enum


class Channel(Enum):
    EMAIL = "email"
    SMS = "sms"


class Status(Enum):
    """Delivery state; values are the names of the proto enum without its prefix."""

    CREATED = "CREATED"
    SENDING = "SENDING"
    DELIVERED = "DELIVERED"
    TEMPORARY_FAILURE = "TEMPORARY_FAILURE"
    PERMANENT_FAILURE = "PERMANENT_FAILURE"
    TECHNICAL_FAILURE = "TECHNICAL_FAILURE"

    @property
    def final(self) -> bool:
        return self in FINAL

    @property
    def rank(self) -> int:
        return 2 if self.final else (1 if self is Status.SENDING else 0)


FINAL = frozenset(
    {Status.DELIVERED, Status.TEMPORARY_FAILURE, Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE}
)


def may_move(current: Status, target: Status) -> bool:
    """Forward only: created -> sending -> one final status; nothing leaves a final status."""
    return target.rank > current.rank


def earlier_than(target: Status) -> list[Status]:
    """The statuses from which ``target`` may be reached (for a guarded UPDATE)."""
    return [s for s in Status if may_move(s, target)]
