"""The agency directory: one identity agency, one identifier code."""

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

    @property
    def search_name(self) -> str:
        return fold(self.display_name)


def fold(text: str) -> str:
    """Lower case without diacritics (``Hà Nội`` -> ``ha noi``), for accent-insensitive search."""
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(stripped.lower().split())
