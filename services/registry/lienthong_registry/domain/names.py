"""Name normalisation.

Stored names are NFC with their Vietnamese diacritics, outer whitespace stripped and inner runs collapsed. For
comparison (verification, search) names are also case-folded, so "NGUYỄN Văn An" equals "nguyễn văn an" and an
NFD-encoded input equals its NFC form. Diacritics are NOT folded away: "Nguyễn" and "Nguyen" are different names
in Vietnamese (tones distinguish names such as Lan / Lân / Lận), and treating them as equal would let a
verification call match a different person.
"""

from __future__ import annotations

import unicodedata


def stored_name(raw: str) -> str:
    """The stored form: NFC, single spaces, no outer whitespace."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def name_key(raw: str) -> str:
    """The comparison form: the stored form, case-folded (then NFC again, as folding may decompose)."""
    return unicodedata.normalize("NFC", stored_name(raw).casefold())


def names_match(a: str, b: str) -> bool:
    """Whether two names are the same person's name under case folding and Unicode normal forms."""
    return name_key(a) == name_key(b)
