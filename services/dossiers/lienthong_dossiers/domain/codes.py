"""Dossier codes a person can read out on the phone: ``HS-<year>-<6 characters>``.

The alphabet leaves out 0/O and 1/I (and nothing else), so a code read aloud or copied by hand is not misread.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 6


def new_code(year: int) -> str:
    return f"HS-{year}-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def is_code(text: str) -> bool:
    parts = text.split("-")
    return (
        len(parts) == 3
        and parts[0] == "HS"
        and parts[1].isdigit()
        and len(parts[2]) == LENGTH
        and all(c in ALPHABET for c in parts[2])
    )
