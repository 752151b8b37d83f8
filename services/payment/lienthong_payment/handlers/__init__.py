"""Service layer: plain async functions, one transaction each, over the repositories in ``adapters``.

Every function takes :class:`Deps` and the caller's agency (from the verified token, never from a request).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from lienthong_runtime.crypto import Keyring
from lienthong_runtime.errors import FailedPrecondition

from ..adapters.pg import PgPool
from ..domain.providers import PaymentProvider


def new_id() -> str:
    """32 hex characters, time-ordered (milliseconds first) then random; also a valid VNPay vnp_TxnRef."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(10)}"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Policy:
    max_amount_vnd: int = 1_000_000_000
    lifetime: timedelta = timedelta(minutes=90)
    default_provider: str = "sandbox"
    allow_http_localhost: bool = False


@dataclass
class Deps:
    #: Core connections only: the service uses no ORM state, and skipping the ORM session cuts the Python
    #: cost of each statement on the payment hot path.
    db: AsyncEngine
    providers: Mapping[str, PaymentProvider]
    #: Seals the payer's e-mail at rest.
    keyring: Keyring
    policy: Policy = field(default_factory=Policy)
    #: Tells the outbox relay that events were committed (publish now rather than at the next poll).
    wake: Callable[[], None] = lambda: None
    clock: Callable[[], datetime] = utcnow
    #: On PostgreSQL, the asyncpg pool of the create/start/notification path (see ``adapters/pg.py``).
    pg: PgPool | None = None

    def transaction(self) -> AbstractAsyncContextManager[Any]:
        """A connection in a transaction for the hot path: asyncpg on PostgreSQL, else SQLAlchemy Core."""
        return self.pg.transaction() if self.pg is not None else self.db.begin()

    def autocommit(self) -> AbstractAsyncContextManager[Any]:
        """For a single statement that is atomic by itself; SQLite keeps its BEGIN IMMEDIATE transaction."""
        return self.pg.autocommit() if self.pg is not None else self.db.begin()

    def provider(self, name: str) -> PaymentProvider:
        """The adapter of a configured provider (a payment may outlive its provider's configuration)."""
        found = self.providers.get(name)
        if found is None:
            raise FailedPrecondition(
                f"the {name} provider is not configured", reason="PROVIDER_NOT_AVAILABLE"
            )
        return found
