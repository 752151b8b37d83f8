"""What every handler needs besides its unit of work: the caller, the collaborators built by the composition root
(:class:`Services`), the civil date, access-log entries and page cursors."""

from __future__ import annotations

import base64
import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lienthong_runtime.crypto import Keyring
from lienthong_runtime.errors import invalid
from lienthong_runtime.ids import new_id
from lienthong_runtime.paging import PAGE_TOKEN_INVALID, decode_cursor

from ..domain import personal_id as pid_rules
from ..domain.access_log import AccessAction, AccessLogEntry
from ..domain.dates import to_us
from .ports import AccessLog, CallerKey, CitizenReads, PolicyLookup, SubjectIndex

#: Vietnam's civil date decides "not in the future" (a birth at 06:00 on 2 January in Hà Nội is 1 January UTC).
VIETNAM = dt.timezone(dt.timedelta(hours=7))
MAX_LEGAL_TEXT = 500


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Caller:
    """The verified caller: agency and client from the token (never from a request field)."""

    agency_id: str
    client_id: str
    agency_name: str = ""

    @property
    def key(self) -> CallerKey:
        return (self.agency_id, self.client_id)


@dataclass(frozen=True)
class Services:
    """The registry's collaborators that are not a transaction, built once by the composition root
    (``bootstrap.build``) or by a test with fakes. Handlers never build an adapter."""

    reads: CitizenReads
    policies: PolicyLookup
    access_log: AccessLog
    keyring: Keyring
    index: SubjectIndex
    now: Callable[[], dt.datetime] = utc_now

    def today(self) -> dt.date:
        return self.now().astimezone(VIETNAM).date()

    def log_entry(
        self,
        caller: Caller,
        action: AccessAction,
        personal_id: str,
        *,
        purpose: str = "",
        legal_basis: str = "",
        fields: list[str] | tuple[str, ...] = (),
    ) -> AccessLogEntry:
        """An access-log entry about ``personal_id``, which is stored only as blind index and ciphertext."""
        subject = self.index.personal_id(personal_id).hex()
        key_id, blob = self.keyring.seal(personal_id.encode(), b"access|" + subject.encode())
        return AccessLogEntry(
            id=new_id(),
            time_us=to_us(self.now()),
            agency_id=caller.agency_id[:100],
            agency_name=(caller.agency_name or caller.agency_id)[:200],
            client_id=caller.client_id[:200],
            action=action,
            purpose=purpose,
            legal_basis=legal_basis,
            fields=tuple(fields),
            subject=subject,
            sealed_personal_id=f"{key_id}:{base64.b64encode(blob).decode()}",
        )

    def unseal_personal_id(self, entry: AccessLogEntry) -> str:
        key_id, _, blob = entry.sealed_personal_id.partition(":")
        return self.keyring.open(key_id, base64.b64decode(blob), b"access|" + entry.subject.encode()).decode()


def check_personal_id(value: str, field_name: str = "personal_id") -> str:
    problem = pid_rules.format_problem(value)
    if problem:
        raise invalid(field_name, problem, reason="PERSONAL_ID_INVALID")
    return value


def check_legal_text(value: str, field_name: str) -> str:
    text = value.strip()
    if not text or len(text) > MAX_LEGAL_TEXT:
        raise invalid(field_name, f"is required, 1 to {MAX_LEGAL_TEXT} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise invalid(field_name, "contains control or format characters")
    return unicodedata.normalize("NFC", text)


def cursor(kind: str, token: str, length: int, parse: Callable[..., Any]) -> Any:
    """The cursor of a page token of the list method ``kind`` (``lienthong_runtime.paging``): its ``length``
    values shaped by ``parse(*values)``; None for the first page. Values that do not parse are PAGE_TOKEN_INVALID
    as well: tokens are opaque to callers but not secret, so a forged one is a client mistake, never INTERNAL."""
    values = decode_cursor(kind, token, length)
    if values is None:
        return None
    try:
        return parse(*values)
    except (TypeError, ValueError):
        raise invalid("page_token", "is not a token this method issued", reason=PAGE_TOKEN_INVALID) from None


def whole(value: Any) -> int:
    """An integer cursor value (not a bool, not a float)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("cursor")
    return value


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("cursor")
    return value
