"""Who is calling and whether the contract lets them: the runtime's :func:`~lienthong_runtime.access.authorize`
(the services' call pipeline applies the very same function) over the gateway's cached ``TokenVerifier``.

Revocation comes from identity's events, applied by the runtime's
:class:`~lienthong_runtime.identity_events.IdentityEvents` to the verifier's ``RevocationState``, so the next
call with an affected token is refused: the verifier's cache re-checks revocation on every hit.
"""

from __future__ import annotations

from lienthong_runtime.access import authorize
from lienthong_runtime.auth import Principal, TokenVerifier

from .routing import Route


class Authorizer:
    """The contract's rule for a route, applied to the caller's ``authorization`` header."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    async def principal(self, route: Route, authorization: str | None) -> Principal | None:
        """The verified caller (None for a public method called without a valid token); raises
        ``DomainError`` with the reasons of :mod:`lienthong_runtime.access` otherwise."""
        return await authorize(route.rule, authorization, self.verifier)
