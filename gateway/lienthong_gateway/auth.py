"""Who is calling and whether the contract lets them: bearer JWT verification (runtime ``TokenVerifier``, cached)
and the method's access rule.

Revocation comes from identity's events, applied by the runtime's
:class:`~lienthong_runtime.identity_events.IdentityEvents` to the verifier's ``RevocationState``, so the next
call with an affected token is refused: the verifier's cache re-checks revocation on every hit.
"""

from __future__ import annotations

import logging

from lienthong_runtime.auth import Principal, TokenVerifier
from lienthong_runtime.errors import PermissionDenied, Unauthenticated, Unavailable

from .routing import Route

log = logging.getLogger("lienthong.gateway.auth")


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
                "the token cannot be verified right now; retry", reason="KEYS_UNAVAILABLE", retry_after=1.0
            ) from None
        if not rule.public and not rule.scopes <= principal.scopes:
            raise PermissionDenied(
                "the token lacks a scope this method requires",
                reason="SCOPE_MISSING",
                metadata={"missing_scopes": " ".join(sorted(rule.scopes - principal.scopes))},
            )
        return principal
