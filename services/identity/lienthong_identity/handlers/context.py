"""What every handler needs: the unit of work, crypto, keys, revocation state and settings."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime.auth import RevocationState, TokenVerifier
from lienthong_runtime.crypto import BlindIndex, Keyring
from lienthong_runtime.errors import DomainError
from lienthong_runtime.events import OutboxRelay

from ..adapters.keystore import KeyStore
from ..adapters.uow import UnitOfWork
from ..config import Settings
from ..domain.audit import Caller, Outcome
from ..domain.citizens import Passwords
from ..domain.clients import SecretHasher


@dataclass
class AuditNote:
    """What a handler learns during an audited block that the failure record should carry."""

    agency_id: str


@dataclass
class Context:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    #: Seals personal data and signing keys at rest (key derived from the KEK).
    keyring: Keyring
    #: Server-side secret of client-secret hashes and login-throttle keys.
    pepper: bytes
    #: Blind index (keyed by the pepper) of citizens' personal IDs.
    index: BlindIndex
    secrets: SecretHasher
    passwords: Passwords
    keys: KeyStore
    revocations: RevocationState
    verifier: TokenVerifier
    catalogue: frozenset[str]
    relay: OutboxRelay | None = None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.keyring, self.index)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    def committed(self, uow: UnitOfWork) -> None:
        """Call after a commit: publish staged events now rather than at the relay's next poll."""
        if uow.events and self.relay is not None:
            self.relay.wake()

    @contextlib.asynccontextmanager
    async def audited(
        self, caller: Caller, action: str, target: str = "", actor: str | None = None
    ) -> AsyncIterator[AuditNote]:
        """Record a FAILURE audit event (in its own transaction) when the block raises a caller's error.

        The block may set ``note.agency_id`` once it knows whose agency the failure concerns."""
        note = AuditNote(caller.agency_id)
        try:
            yield note
        except DomainError as exc:
            async with self.uow() as uow:
                await uow.audit(
                    caller.event(
                        action,
                        self.now(),
                        target=target,
                        outcome=Outcome.FAILURE,
                        reason=exc.reason,
                        actor=actor,
                        agency_id=note.agency_id,
                    )
                )
            raise


def timestamp(value: datetime | float) -> Timestamp:
    """A protobuf Timestamp from a datetime or epoch seconds."""
    stamp = Timestamp()
    if isinstance(value, datetime):
        stamp.FromDatetime(value)
    else:
        stamp.FromNanoseconds(int(value * 1e9))
    return stamp
