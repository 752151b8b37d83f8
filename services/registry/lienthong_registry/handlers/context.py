"""What every handler needs: the registry's adapters, the caller, the clock and page tokens."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import unicodedata
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from lienthong_runtime.errors import invalid
from lienthong_runtime.events import OutboxRelay

from ..adapters.access_log_writer import AccessLogWriter
from ..adapters.citizen_store import CitizenStore, to_us
from ..adapters.crypto import CitizenIndex, Keyring
from ..adapters.pg_reader import PgReader
from ..adapters.policy_cache import PolicyCache
from ..adapters.replicas import ReplicaRouter, caller_key
from ..domain import personal_id as pid_rules
from ..domain.access_log import AccessAction, AccessLogEntry

#: Vietnam's civil date decides "not in the future" (a birth at 06:00 on 2 January in Hà Nội is 1 January UTC).
VIETNAM = dt.timezone(dt.timedelta(hours=7))
DEFAULT_PAGE, MAX_PAGE = 50, 500
MAX_LEGAL_TEXT = 500


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Caller:
    """The verified caller: agency and client from the token (never from a request field)."""

    agency_id: str
    client_id: str
    agency_name: str = ""


@dataclass
class Registry:
    """The registry's adapters, built once by the composition root."""

    sessions: async_sessionmaker[AsyncSession]
    keyring: Keyring
    index: CitizenIndex
    log: AccessLogWriter
    citizens: CitizenStore = field(init=False)
    relay: OutboxRelay | None = None
    now: Callable[[], dt.datetime] = utc_now
    #: An AUTOCOMMIT engine for single-statement reads on PostgreSQL (no BEGIN/ROLLBACK round trips).
    read_engine: AsyncEngine | None = None
    policies: PolicyCache = field(default_factory=lambda: PolicyCache(0.0))
    #: The asyncpg pool of the by-ID read on PostgreSQL.
    reader: PgReader | None = None
    #: Hot standbys for purpose-bound reads (``read_replica_urls``); None: every read on the primary.
    replicas: ReplicaRouter | None = None

    def __post_init__(self) -> None:
        self.citizens = CitizenStore(self.keyring, self.index, self.reader)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession | AsyncConnection]:
        """A connection for reads that need no transaction."""
        if self.read_engine is None:
            async with self.sessions() as session:
                yield session
        else:
            async with self.read_engine.connect() as conn:
                yield conn

    def today(self) -> dt.date:
        return self.now().astimezone(VIETNAM).date()

    def wake_relay(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    async def written(self, caller: Caller) -> None:
        """After a write committed: publish its event soon, and let the writer read it back (from the primary
        until a standby has replayed it)."""
        self.wake_relay()
        if self.replicas is not None:
            await self.replicas.wrote(caller_key(caller.agency_id, caller.client_id))

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
            id=str(uuid.uuid4()),
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


def page_size(requested: int) -> int:
    if requested < 0:
        raise invalid("page_size", "must not be negative")
    return min(requested or DEFAULT_PAGE, MAX_PAGE)


def encode_token(kind: str, value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([kind, value]).encode()).decode()


def decode_token(token: str, kind: str, parse: Callable[[Any], Any] = lambda v: v) -> Any:
    """The cursor inside a page token of this ``kind``, shaped by ``parse``; None for the first page. Tokens
    are opaque to callers but not secret, so a forged one is refused as INVALID_ARGUMENT, never INTERNAL."""
    if not token:
        return None
    try:
        found, value = json.loads(base64.urlsafe_b64decode(token.encode()))
        if found == kind:
            return parse(value)
    except (ValueError, TypeError, IndexError, KeyError, binascii.Error):
        pass
    raise invalid("page_token", "is not a token returned by this method", reason="PAGE_TOKEN_INVALID")


def int_cursor(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("cursor")
    return value
