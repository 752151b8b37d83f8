"""Verification: whether every attribute a caller claims equals the record's (match / no match, nothing else)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .citizen import Address, Citizen
from .names import names_match
from .sex import LifeStatus, Sex


@dataclass(frozen=True)
class Claims:
    """Attributes a caller claims; None means not claimed."""

    full_name: str | None = None
    date_of_birth: dt.date | None = None
    sex: Sex | None = None
    permanent_address: Address | None = None
    life_status: LifeStatus | None = None

    def empty(self) -> bool:
        return all(
            v is None
            for v in (self.full_name, self.date_of_birth, self.sex, self.permanent_address, self.life_status)
        )


def _same_place(claimed: Address, actual: Address | None) -> bool:
    if actual is None:
        return False
    try:
        return (int(claimed.province_code), int(claimed.ward_code)) == (
            int(actual.province_code),
            int(actual.ward_code),
        )
    except ValueError:
        return False


def matches(c: Citizen, claims: Claims) -> bool:
    """Whether every claimed attribute equals the record's (names: NFC, case-folded, diacritics kept)."""
    checks = [
        claims.full_name is None or names_match(claims.full_name, c.full_name),
        claims.date_of_birth is None or claims.date_of_birth == c.date_of_birth,
        claims.sex is None or claims.sex == c.sex,
        claims.permanent_address is None or _same_place(claims.permanent_address, c.permanent_address),
        claims.life_status is None or claims.life_status == c.life_status,
    ]
    return all(checks)
