"""The collaborators handlers need besides storage (crypto, keys, revocation state, settings), built and
injected by the composition root (``bootstrap.py``), and the audit of failed attempts.

Storage comes as the abstract :class:`~.ports.IdentityUnitOfWork` each handler takes as its first argument;
``Context.uow`` is the factory the servicers call once per request (the SQL one, or a fake in tests).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lienthong_runtime.auth import RevocationState, TokenVerifier
from lienthong_runtime.crypto import BlindIndex, Keyring
from lienthong_runtime.errors import DomainError

from ..config import Settings
from ..domain.audit import Caller, Outcome
from ..domain.citizens import Passwords
from ..domain.clients import SecretHasher
from .ports import IdentityUnitOfWork, SigningKeys


@dataclass
class AuditNote:
    """What a handler learns during an audited block that the failure record should carry."""

    agency_id: str


@dataclass
class Context:
    settings: Settings
    #: A new unit of work (one per request); the composition root injects the SQL one.
    uow: Callable[[], IdentityUnitOfWork]
    #: Seals personal data and signing keys at rest (key derived from the KEK).
    keyring: Keyring
    #: Server-side secret of client-secret hashes and login-throttle keys.
    pepper: bytes
    #: Blind index (keyed by the pepper) of citizens' personal IDs.
    index: BlindIndex
    secrets: SecretHasher
    passwords: Passwords
    #: The signing keys (``adapters.keystore.KeyStore``).
    keys: SigningKeys
    revocations: RevocationState
    verifier: TokenVerifier
    catalogue: frozenset[str]
    #: Wakes the outbox relay after a commit with events (``OutboxRelay.wake``); none in unit tests.
    wake_relay: Callable[[], None] | None = None
    #: The engine's sessions, for the composition root (relay, revocation loader, disposal) and the CLI only.
    sessions: Any = None

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    def committed(self, uow: IdentityUnitOfWork) -> None:
        """Call after a commit: publish staged events now rather than at the relay's next poll."""
        if uow.committed and self.wake_relay is not None:
            self.wake_relay()

    @contextlib.asynccontextmanager
    async def audited(
        self,
        uow: IdentityUnitOfWork,
        caller: Caller,
        action: str,
        target: str = "",
        actor: str | None = None,
    ) -> AsyncIterator[AuditNote]:
        """Record a FAILURE audit event (in its own transaction) when the block raises a caller's error.

        The block may set ``note.agency_id`` once it knows whose agency the failure concerns."""
        note = AuditNote(caller.agency_id)
        try:
            yield note
        except DomainError as exc:
            async with uow:
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
