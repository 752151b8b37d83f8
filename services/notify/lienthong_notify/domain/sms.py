"""How many SMS segments a text takes, by the GSM 03.38 rules.

A text made only of GSM-7 characters is sent 7-bit: 160 characters fit one segment, 153 per segment once it is
split (the rest of each segment carries the concatenation header). Characters of the GSM-7 extension table
(``^{}\\[~]|€`` and form feed) take an escape plus the character, so they count twice. Any other character, which
includes every Vietnamese letter with a diacritic (ă, ơ, ư, đ, ấ, ...), forces UCS-2: 70 characters in one
segment, 67 per segment. Characters outside the Basic Multilingual Plane take two UCS-2 code units.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


class SmsEncoding(Enum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class SmsSegments:
    """Encoding, character count (in encoding units) and segment count of one SMS text."""

    encoding: SmsEncoding
    character_count: int
    segment_count: int


def _segments(units: int, single: int, multi: int) -> int:
    if units <= single:
        return 1
    return -(-units // multi)


def count_segments(text: str) -> SmsSegments:
    """Segments of ``text``: GSM-7 when every character is in the GSM 03.38 tables, else UCS-2."""
    gsm_units = 0
    for char in text:
        if char in GSM7_BASIC:
            gsm_units += 1
        elif char in GSM7_EXTENSION:
            gsm_units += 2
        else:
            units = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
            return SmsSegments(SmsEncoding.UCS2, units, _segments(units, 70, 67))
    return SmsSegments(SmsEncoding.GSM7, gsm_units, _segments(gsm_units, 160, 153))
