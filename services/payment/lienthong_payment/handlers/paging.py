"""Opaque keyset page tokens: the (create_time, id) of the last item of the previous page."""

from __future__ import annotations

import base64
from datetime import datetime

from lienthong_runtime.errors import invalid

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 500


def page_size(requested: int) -> int:
    if requested < 0:
        raise invalid("page_size", "must not be negative", reason="PAGE_SIZE_INVALID")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode(create_time: datetime, item_id: str) -> str:
    return base64.urlsafe_b64encode(f"{create_time.isoformat()}|{item_id}".encode()).decode().rstrip("=")


def decode(token: str) -> tuple[datetime, str] | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        when, item_id = raw.split("|", 1)
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None or not item_id:
            raise ValueError
        return moment, item_id
    except (ValueError, UnicodeDecodeError):
        raise invalid("page_token", "not a token this service issued", reason="PAGE_TOKEN_INVALID") from None
