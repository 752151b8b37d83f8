"""Agency identifier codes in the national format.

Two written forms are in use, and both are accepted:

* QCVN 102:2016/BTTTT's form, 13 characters ``DDD.DD.DD.XDD``: four groups separated by dots, the level-1 code
  (one capital letter and two digits, ``G..`` for central agencies and ``H..`` for provinces in the codes seen in
  use) rightmost and the lower levels to its left, zero-filled (``000.00.00.H29``, ``000.00.04.G14``).
* Decision 20/2020/QĐ-TTg's form (which QCVN 102:2016 amendment 1:2022 adopts): at most 35 characters, digits,
  capital letters A-Z and dots only, groups separated by dots and developed from left to right, the level-1
  group leftmost (``H55.242``).

See ``services/documents/README.md`` for which parts were confirmed and where.
"""

from __future__ import annotations

import re

from lienthong_runtime.errors import invalid

MAX_LENGTH = 35
QCVN_FORM = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}")
LEVEL1 = re.compile(r"[A-Z]\d{2}")
GROUP = re.compile(r"[0-9A-Z]+")


def normalise_code(value: str, field: str = "code") -> str:
    """The code in canonical form (trimmed, upper case), or INVALID_ARGUMENT with reason AGENCY_CODE_INVALID."""
    code = value.strip().upper()
    if not code:
        raise invalid(field, "is required", reason="AGENCY_CODE_INVALID")
    if len(code) > MAX_LENGTH:
        raise invalid(field, f"has more than {MAX_LENGTH} characters", reason="AGENCY_CODE_INVALID")
    if QCVN_FORM.fullmatch(code):
        return code
    groups = code.split(".")
    if not LEVEL1.fullmatch(groups[0]) or not all(GROUP.fullmatch(g) for g in groups[1:]):
        raise invalid(
            field,
            "is not an identifier code (QCVN 102:2016 'DDD.DD.DD.XDD' or Decision 20/2020 'XDD.group...')",
            reason="AGENCY_CODE_INVALID",
        )
    return code


def level1(code: str) -> str:
    """The level-1 group of a valid code (``H29`` of both ``000.00.00.H29`` and ``H29.1``)."""
    return code[-3:] if QCVN_FORM.fullmatch(code) else code.split(".", 1)[0]
