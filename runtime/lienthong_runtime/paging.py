"""Page sizes and page tokens for every list RPC of the platform, with one set of reasons.

Keyset pagination (AIP-158): a page token is opaque to callers and carries the sort key of the last item served
plus the list method it belongs to, so a token from one method is refused by another. The same client mistake
gets the same status and reason in every service:

- ``page_size`` negative or over :data:`MAX_PAGE_SIZE`: INVALID_ARGUMENT, ``PAGE_SIZE_INVALID``;
- ``page_token`` not issued by this method: INVALID_ARGUMENT, ``PAGE_TOKEN_INVALID``.

A refusal, not a silent cut, for an over-size page: a caller that asked for 10 000 rows and got 500 with a next
page token would believe it had everything when it ignores the token.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .errors import invalid

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
PAGE_SIZE_INVALID = "PAGE_SIZE_INVALID"
PAGE_TOKEN_INVALID = "PAGE_TOKEN_INVALID"

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "PAGE_SIZE_INVALID",
    "PAGE_TOKEN_INVALID",
    "Keyset",
    "decode_cursor",
    "decode_keyset",
    "encode_cursor",
    "encode_keyset",
    "page_size",
]


def page_size(requested: int, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE) -> int:
    """The number of items to serve for ``requested`` (0 means the default)."""
    if requested < 0 or requested > maximum:
        raise invalid("page_size", f"must be between 0 and {maximum}", reason=PAGE_SIZE_INVALID)
    return requested or default


def encode_cursor(kind: str, cursor: Sequence[str | int | float | bool | None]) -> str:
    """An opaque token for the list method ``kind`` carrying JSON scalars (the last item's sort key)."""
    raw = json.dumps([kind, *cursor], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, token: str, length: int) -> list[Any] | None:
    """The cursor of a token issued by :func:`encode_cursor` for ``kind`` with ``length`` values; None for the
    first page (empty token). Anything else is INVALID_ARGUMENT ``PAGE_TOKEN_INVALID``."""
    if not token:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != length + 1
        or values[0] != kind
        or any(isinstance(v, (list, dict)) for v in values)
    ):
        raise invalid("page_token", "is not a token this method issued", reason=PAGE_TOKEN_INVALID)
    return values[1:]


Keyset = tuple[datetime, str]


def encode_keyset(kind: str, time: datetime, item_id: str) -> str:
    """The common keyset: (time, id) of the last item served, ordered by time then id."""
    return encode_cursor(kind, [time.isoformat(), item_id])


def decode_keyset(kind: str, token: str) -> Keyset | None:
    """The (time, id) of a token from :func:`encode_keyset`; None for the first page."""
    values = decode_cursor(kind, token, 2)
    if values is None:
        return None
    when, item_id = values
    try:
        moment = datetime.fromisoformat(when) if isinstance(when, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not isinstance(item_id, str) or not item_id:
        raise invalid("page_token", "is not a token this method issued", reason=PAGE_TOKEN_INVALID)
    return moment, item_id
