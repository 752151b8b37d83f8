"""Identity's events applied by every verifier: the gateway and each service (defence in depth).

``TokenRevoked``, ``AgencySuspended``/``AgencyResumed``, ``ClientDisabled`` and ``SessionsRevoked`` update a
:class:`~lienthong_runtime.auth.RevocationState`; ``SigningKeyRotated`` refreshes the
:class:`~lienthong_runtime.auth.KeySource` at once instead of waiting for the first token with a new ``kid``.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from google.protobuf.message import Message

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.identity.v1 import events_pb2 as identity_events

from .auth import KeySource, RevocationState

log = logging.getLogger("lienthong.identity_events")

EVENT_TYPES = tuple(
    message.DESCRIPTOR.full_name
    for message in (
        identity_events.TokenRevoked,
        identity_events.AgencySuspended,
        identity_events.AgencyResumed,
        identity_events.ClientDisabled,
        identity_events.SessionsRevoked,
        identity_events.SigningKeyRotated,
    )
)


def _unpack(event: EventEnvelope, cls: type[Message]) -> Any:
    message = cls()
    event.payload.Unpack(message)
    return message


def _instant(ts: Any) -> float:
    """A protobuf Timestamp as float seconds, sub-second part included (cut-offs are exact instants)."""
    return float(ts.seconds) + ts.nanos / 1e9


class IdentityEvents:
    """Applies identity's events to one process's revocation state and key source."""

    def __init__(self, revocations: RevocationState, keys: KeySource | None) -> None:
        self.revocations = revocations
        self.keys = keys

    async def subscribe(self, bus: Any, process: str) -> None:
        # One consumer per process, under a fresh name: every replica must apply every event (not share them),
        # and a new consumer starts at the oldest retained event, so a restarted process rebuilds its state
        # instead of resuming after it and forgetting earlier revocations. The bus's inactivity threshold removes
        # consumers of processes that are gone. The suffix is random (uuid4), not lienthong_runtime.ids.new_id():
        # the first 12 hex digits of a UUIDv7 are its millisecond, which two replicas starting together share.
        await bus.subscribe(f"{process}-{uuid.uuid4().hex[:12]}", list(EVENT_TYPES), self.handle)

    async def handle(self, event: EventEnvelope) -> None:
        kind = event.type.rsplit(".", 1)[-1]
        state = self.revocations
        if kind == "TokenRevoked":
            revoked = _unpack(event, identity_events.TokenRevoked)
            state.revoke(revoked.token_id, revoked.expire_time.seconds or time.time() + 86_400)
        elif kind == "AgencySuspended":
            suspended = _unpack(event, identity_events.AgencySuspended)
            state.suspend_agency(suspended.agency_id, at=_instant(suspended.suspend_time))
        elif kind == "AgencyResumed":
            resumed = _unpack(event, identity_events.AgencyResumed)
            state.resume_agency(resumed.agency_id, not_before=_instant(resumed.resume_time))
        elif kind == "ClientDisabled":
            state.disable_client(_unpack(event, identity_events.ClientDisabled).client_id)
        elif kind == "SessionsRevoked":
            sessions = _unpack(event, identity_events.SessionsRevoked)
            state.revoke_sessions(sessions.subject, _instant(sessions.revoke_before))
        elif kind == "SigningKeyRotated" and self.keys is not None:
            await self.keys.refresh(force=True)
        log.info("identity event applied", extra={"event_type": event.type, "event_id": event.id})
