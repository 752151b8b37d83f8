"""Administrative units in force since 1 July 2025 (34 provinces, 3,321 communes/wards), from the official list
shipped by the ``vietnam-provinces`` package. Loaded once, on first use."""

from __future__ import annotations

from functools import cache


@cache
def ward_provinces() -> dict[int, int]:
    """Ward code -> province code, for every commune, ward and special zone."""
    from vietnam_provinces.lookup import WARD_MAPPING

    return {int(code): int(ward.province_code) for code, ward in WARD_MAPPING.items()}


@cache
def province_codes() -> frozenset[int]:
    """Codes of the 34 provinces and centrally-run cities."""
    from vietnam_provinces.lookup import PROVINCE_MAPPING

    return frozenset(int(code) for code in PROVINCE_MAPPING)


def canonical_province(code: str) -> str:
    """The two-digit form of a province code ("1" -> "01")."""
    return f"{int(code):02d}"


def canonical_ward(code: str) -> str:
    """The five-digit form of a ward code ("70" -> "00070")."""
    return f"{int(code):05d}"
