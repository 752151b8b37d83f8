"""The agency directory: one identity agency, one identifier code; and identity's agencies as their events tell
them (known, suspended)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from .signatures import ReceivePolicy


@dataclass(frozen=True)
class DirectoryAgency:
    code: str
    agency_id: str
    display_name: str
    province_code: str
    policy: ReceivePolicy
    notification_email: str
    created_at: datetime
    #: identity suspended the agency: it can neither send nor receive until resumed.
    suspended: bool = False

    @property
    def search_name(self) -> str:
        return fold(self.display_name)


def fold(text: str) -> str:
    """Lower case without diacritics (``Hà Nội`` -> ``ha noi``), for accent-insensitive search."""
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(stripped.lower().split())


@dataclass(frozen=True)
class KnownAgency:
    """An agency of identity, as documents learnt it from identity's events."""

    agency_id: str
    display_name: str
    kind: str
    province_code: str
    suspended: bool
    #: The instant of the suspension or resumption last applied (None: never suspended).
    state_time: datetime | None

    @property
    def created(self) -> bool:
        """Whether its AgencyCreated arrived (a suspension that overtook it leaves the name empty)."""
        return bool(self.display_name)


def newer(state_time: datetime | None, event_time: datetime) -> bool:
    """Whether a suspension or resumption at ``event_time`` applies over the state set at ``state_time``: a late
    or repeated event never moves the state back."""
    return state_time is None or event_time > state_time
