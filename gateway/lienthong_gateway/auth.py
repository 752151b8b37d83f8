"""Who is calling and whether the contract lets them: bearer JWT verification (runtime ``TokenVerifier``, cached),
the method's access rule, and revocation fed by identity's events.

Identity publishes ``TokenRevoked``, ``AgencySuspended``/``AgencyResumed``, ``ClientDisabled``,
``SessionsRevoked`` and ``SigningKeyRotated``; the gateway subscribes on the bus with a consumer of its own (every
replica must see every event) and applies them in memory, so the next call with an affected token is refused:
the verifier's cache re-checks revocation on every hit.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from google.protobuf.message import Message

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong_runtime.auth import KeySource, Principal, RevocationState, TokenVerifier
from lienthong_runtime.errors import PermissionDenied, Unauthenticated, Unavailable

from .routing import Route

log = logging.getLogger("lienthong.gateway.auth")


class GatewayRevocations(RevocationState):
    """The runtime's revoked tokens and suspended agencies, plus disabled clients and issued-before cut-offs
    (an agency resumed after a suspension, a subject whose sessions were all revoked)."""

    def __init__(self) -> None:
        super().__init__()
        self.disabled_clients: set[str] = set()
        self.agency_cutoff: dict[str, int] = {}
        self.subject_cutoff: dict[str, int] = {}

    def check(self, principal: Principal) -> None:
        super().check(principal)
        if principal.client_id and principal.client_id in self.disabled_clients:
            raise Unauthenticated("the token's client is disabled", reason="CLIENT_DISABLED")
        if self.agency_cutoff or self.subject_cutoff:
            issued = int(principal.claims.get("iat", 0))
            if issued < self.agency_cutoff.get(principal.agency_id, 0):
                raise Unauthenticated("the token predates its agency's suspension", reason="AGENCY_SUSPENDED")
            if issued < self.subject_cutoff.get(principal.subject, 0):
                raise Unauthenticated("the token's sessions were revoked", reason="TOKEN_REVOKED")


def _unpack(event: EventEnvelope, cls: type[Message]) -> Any:
    message = cls()
    event.payload.Unpack(message)
    return message


class IdentityEvents:
    """Applies identity's events to the revocation state and the key source."""

    TYPES = tuple(
        m.DESCRIPTOR.full_name
        for m in (
            identity_events.TokenRevoked,
            identity_events.AgencySuspended,
            identity_events.AgencyResumed,
            identity_events.ClientDisabled,
            identity_events.SessionsRevoked,
            identity_events.SigningKeyRotated,
        )
    )

    def __init__(self, revocations: GatewayRevocations, keys: KeySource) -> None:
        self.revocations = revocations
        self.keys = keys

    async def subscribe(self, bus: Any) -> None:
        # One consumer per gateway process: each replica must apply every event, not share them. A fresh name
        # on every start is deliberate: a new consumer starts at the oldest retained event, so a restarted
        # replica rebuilds its revocation state instead of resuming after it and forgetting earlier revocations.
        # Abandoned consumers are removed by the bus's inactivity threshold.
        await bus.subscribe(f"gateway-{uuid.uuid4().hex[:12]}", list(self.TYPES), self.handle)

    async def handle(self, event: EventEnvelope) -> None:
        kind = event.type.rsplit(".", 1)[-1]
        state = self.revocations
        if kind == "TokenRevoked":
            revoked = _unpack(event, identity_events.TokenRevoked)
            state.revoke(revoked.token_id, revoked.expire_time.seconds or time.time() + 86_400)
        elif kind == "AgencySuspended":
            suspended = _unpack(event, identity_events.AgencySuspended)
            state.suspend_agency(suspended.agency_id)
            state.agency_cutoff[suspended.agency_id] = suspended.suspend_time.seconds
        elif kind == "AgencyResumed":
            resumed = _unpack(event, identity_events.AgencyResumed)
            state.resume_agency(resumed.agency_id)
            state.agency_cutoff[resumed.agency_id] = resumed.resume_time.seconds
        elif kind == "ClientDisabled":
            state.disabled_clients.add(_unpack(event, identity_events.ClientDisabled).client_id)
        elif kind == "SessionsRevoked":
            sessions = _unpack(event, identity_events.SessionsRevoked)
            state.subject_cutoff[sessions.subject] = sessions.revoke_before.seconds
        elif kind == "SigningKeyRotated":
            await self.keys.refresh(force=True)
        log.info("identity event applied", extra={"event_type": event.type, "event_id": event.id})


class Authorizer:
    """The contract's rule for a route, applied to the caller's ``authorization`` header."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    async def principal(self, route: Route, authorization: str | None) -> Principal | None:
        """The verified caller (None for a public method called without a valid token); raises otherwise."""
        rule = route.rule
        if rule is None:
            raise PermissionDenied("this method declares no access rule", reason="METHOD_NOT_ALLOWED")
        if authorization is None:
            if rule.public:
                return None
            raise Unauthenticated("this method needs an access token", reason="TOKEN_MISSING")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            if rule.public:
                return None
            raise Unauthenticated("authorization must be 'Bearer <token>'", reason="TOKEN_MALFORMED")
        try:
            principal = await self.verifier.verify(token)
        except Unauthenticated:
            if rule.public:
                return None  # a public method ignores a bad token, as the services' pipeline does
            raise
        except Exception:  # the JWKS could not be fetched (identity unreachable): a retryable condition
            log.warning("cannot fetch the signing keys to verify a token", exc_info=True)
            if rule.public:
                return None
            raise Unavailable(
                "the token cannot be verified right now; retry", reason="KEYS_UNAVAILABLE"
            ) from None
        if not rule.public and not rule.scopes <= principal.scopes:
            raise PermissionDenied(
                "the token lacks a scope this method requires",
                reason="SCOPE_MISSING",
                metadata={"missing_scopes": " ".join(sorted(rule.scopes - principal.scopes))},
            )
        return principal
