"""Every refusal the engine answers, as the Python gateway answers it: gRPC code, ``ErrorInfo`` reason and message.

The engine names a refusal by a short case id (a transaction variable set by the rendered rules); the Lua helper
turns the case into ``grpc-status``, ``grpc-message`` and a ``grpc-status-details-bin`` carrying the same
``google.rpc.Status`` the gateway builds with :func:`lienthong_runtime.status.domain_error_status`. The texts
below are those of ``lienthong_runtime.auth`` and ``lienthong_gateway``; the two-front-door conformance suite
(``tests/frontdoor``) fails if they drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc


@dataclass(frozen=True)
class Refusal:
    code: grpc.StatusCode
    reason: str
    message: str


_UNAUTH = grpc.StatusCode.UNAUTHENTICATED

#: Case id -> refusal. Ids are short because they are stored per transaction.
REFUSALS: dict[str, Refusal] = {
    "no_rule": Refusal(
        grpc.StatusCode.PERMISSION_DENIED, "METHOD_NOT_ALLOWED", "this method declares no access rule"
    ),
    "missing": Refusal(_UNAUTH, "TOKEN_MISSING", "this method needs an access token"),
    "scheme": Refusal(_UNAUTH, "TOKEN_MALFORMED", "authorization must be 'Bearer <token>'"),
    "malformed": Refusal(_UNAUTH, "TOKEN_MALFORMED", "the token is not a well-formed JWT"),
    "alg": Refusal(_UNAUTH, "TOKEN_ALGORITHM_REJECTED", "the token's algorithm is not accepted"),
    "typ": Refusal(_UNAUTH, "TOKEN_TYPE_INVALID", "the token is not an access token"),
    "no_kid": Refusal(_UNAUTH, "TOKEN_KEY_UNKNOWN", "the token has no key id"),
    "kid": Refusal(_UNAUTH, "TOKEN_KEY_UNKNOWN", "the token's signing key is unknown"),
    "signature": Refusal(_UNAUTH, "TOKEN_SIGNATURE_INVALID", "the token's signature is invalid"),
    "invalid": Refusal(_UNAUTH, "TOKEN_INVALID", "the token is invalid"),
    "expired": Refusal(_UNAUTH, "TOKEN_EXPIRED", "the token has expired"),
    "not_yet": Refusal(_UNAUTH, "TOKEN_NOT_YET_VALID", "the token is not valid yet"),
    "issuer": Refusal(_UNAUTH, "TOKEN_ISSUER_INVALID", "the token is from another issuer"),
    "audience": Refusal(_UNAUTH, "TOKEN_AUDIENCE_INVALID", "the token is for another audience"),
    "revoked": Refusal(_UNAUTH, "TOKEN_REVOKED", "the token has been revoked"),
    "suspended": Refusal(_UNAUTH, "AGENCY_SUSPENDED", "the token's agency is suspended"),
    "disabled": Refusal(_UNAUTH, "CLIENT_DISABLED", "the token's client is disabled"),
    "predates": Refusal(_UNAUTH, "AGENCY_SUSPENDED", "the token predates its agency's suspension"),
    "sessions": Refusal(_UNAUTH, "TOKEN_REVOKED", "the token's session has been revoked"),
    "scope": Refusal(
        grpc.StatusCode.PERMISSION_DENIED, "SCOPE_MISSING", "the token lacks a scope this method requires"
    ),
    "rl_client": Refusal(
        grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED", "the client's rate limit is exceeded; retry later"
    ),
    "rl_agency": Refusal(
        grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED", "the agency's rate limit is exceeded; retry later"
    ),
}

#: An unknown method, as grpc answers it (no details: the gateway has no handler for it either).
UNIMPLEMENTED = Refusal(grpc.StatusCode.UNIMPLEMENTED, "", "Method not found!")

#: Refusals that only concern a token: a public method ignores them and serves the caller anonymously.
TOKEN_CASES = frozenset(REFUSALS) - {"no_rule", "missing", "scope", "rl_client", "rl_agency"}


def no_upstream(block: str) -> Refusal:
    """A contract block with no upstream configured (as ``lienthong_gateway.forwarding.no_upstream``)."""
    return Refusal(
        grpc.StatusCode.UNAVAILABLE, "UPSTREAM_NOT_CONFIGURED", f"no upstream configured for {block}"
    )


def catalogue(blocks_without_upstream: list[str]) -> dict[str, Refusal]:
    """The refusals of one rendered configuration."""
    cases = dict(REFUSALS)
    for block in blocks_without_upstream:
        cases[f"noup_{block}"] = no_upstream(block)
    return cases
