"""Admission: the contract's access rule of a method applied to a caller's ``authorization`` header.

One function, :func:`authorize`, for both doors: the runtime's call pipeline (every service) and the Python
gateway. A refusal therefore has one status and one reason wherever it happens:

==============================================  ===================  ===========================
caller                                          status               ``ErrorInfo.reason``
==============================================  ===================  ===========================
method without an access rule                   PERMISSION_DENIED    ``METHOD_NOT_ALLOWED``
no header on a guarded method                   UNAUTHENTICATED      ``TOKEN_MISSING``
header not ``Bearer <token>``                   UNAUTHENTICATED      ``TOKEN_MALFORMED``
token refused by the verifier                   UNAUTHENTICATED      the verifier's (``TOKEN_EXPIRED`` ...)
signing keys cannot be fetched (identity down)  UNAVAILABLE          ``KEYS_UNAVAILABLE`` + ``RetryInfo``
token lacks a scope of the method               PERMISSION_DENIED    ``SCOPE_MISSING``
==============================================  ===================  ===========================

A public method never fails on its token: without one, or with one that is malformed, refused or cannot be
checked right now, the call goes on anonymously (principal None).
"""

from __future__ import annotations

import logging
from typing import Any

from .auth import Principal, TokenVerifier
from .contract import AccessRule
from .errors import PermissionDenied, Unauthenticated, Unavailable

__all__ = ["authorization_header", "authorize"]

log = logging.getLogger("lienthong.auth")


def authorization_header(metadata: Any) -> str | None:
    """The ``authorization`` value of gRPC invocation metadata (None when absent)."""
    for key, value in metadata or ():
        if key == "authorization":
            return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
    return None


async def authorize(
    rule: AccessRule | None, authorization: str | None, verifier: TokenVerifier
) -> Principal | None:
    """The verified caller of a method with access ``rule`` (None: a public method called anonymously).

    Raises :class:`~lienthong_runtime.errors.DomainError` subclasses with the reasons in the module's table."""
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
        principal = await verifier.verify(token)
    except (Unauthenticated, Unavailable):  # Unavailable: KEYS_UNAVAILABLE from the verifier's key source
        if rule.public:
            return None  # a public method ignores a bad or unverifiable token rather than failing the caller
        raise
    except Exception:
        # A key source that raised something else still means the token cannot be checked now: retryable, the
        # same answer as a key source that reports it (never INTERNAL at one door and UNAVAILABLE at the other).
        log.warning("cannot verify a token (signing keys unavailable)", exc_info=True)
        if rule.public:
            return None
        raise Unavailable(
            "the token cannot be verified right now (signing keys unavailable); retry",
            reason="KEYS_UNAVAILABLE",
            retry_after=verifier.keys.failure_backoff,
        ) from None
    if not rule.public:
        principal.require_scopes(rule.scopes)
    return principal
