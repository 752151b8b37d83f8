"""Keyset pagination: an opaque page token carrying the (time, id) of the last row served."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from lienthong_runtime.errors import invalid

DEFAULT_PAGE, MAX_PAGE = 50, 500


def page_size(requested: int) -> int:
    if requested < 0:
        raise invalid("page_size", "must not be negative")
    return min(requested or DEFAULT_PAGE, MAX_PAGE)


def encode_token(time: datetime, row_id: str) -> str:
    raw = json.dumps([time.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> tuple[datetime, str] | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        time_text, row_id = json.loads(raw)
        return datetime.fromisoformat(time_text), str(row_id)
    except (ValueError, TypeError):
        raise invalid(
            "page_token", "is not a token this service issued", reason="PAGE_TOKEN_INVALID"
        ) from None
