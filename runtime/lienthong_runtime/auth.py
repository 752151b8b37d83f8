"""Access-token verification shared by identity, the gateway and every service.

* :class:`TokenVerifier` checks a JWT access token against the issuer's JWKS (asymmetric algorithms only, never
  ``none`` or HMAC; ``typ`` ``at+jwt``), with ``exp``/``nbf`` leeway, ``iss``, ``aud``, a required ``kid`` and
  ``jti``, and caches
  verified claims until the token expires (re-checking revocation on every hit).
* Key sources load key objects once (PyJWT re-parses PEM/JWK text on every call otherwise) and refresh on an
  unknown ``kid``, no more often than ``min_refresh_interval``.
* :class:`RevocationState` holds revoked token ids and suspended agencies, fed by identity's events.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

from .errors import PermissionDenied, Unauthenticated, Unavailable

log = logging.getLogger("lienthong.auth")

#: Asymmetric algorithms accepted for access tokens. Symmetric ones are never accepted: a verifier holding a
#: public key must not be tricked into using it as an HMAC secret.
ALLOWED_ALGORITHMS = ("EdDSA", "ES256")
#: The JOSE ``typ`` of an access token (RFC 9068); an ID token or a client assertion is not one.
ACCESS_TOKEN_TYPES = ("at+jwt", "application/at+jwt")


@dataclass(frozen=True)
class Principal:
    """Who is calling, from a verified access token."""

    subject: str
    agency_id: str
    scopes: frozenset[str]
    client_id: str = ""
    #: "client" (an agency's machine client) or "citizen" (a citizen token: ``sub`` = ``citizen:<id>``, ``pid``).
    kind: str = "client"
    token_id: str = ""
    expires_at: float = 0.0
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        scope = claims.get("scope", "")
        subject = str(claims.get("sub", ""))
        citizen = bool(claims.get("pid")) or subject.startswith("citizen:")
        return cls(
            subject=subject,
            agency_id=str(claims.get("agency_id", "")),
            scopes=frozenset(scope.split() if isinstance(scope, str) else scope),
            client_id=str(claims.get("client_id", "")),
            kind="citizen" if citizen else "client",
            token_id=str(claims.get("jti", "")),
            expires_at=float(claims.get("exp", 0)),
            claims=dict(claims),
        )

    def require_scopes(self, needed: frozenset[str] | set[str]) -> None:
        missing = set(needed) - self.scopes
        if missing:
            raise PermissionDenied(
                "the token lacks a scope this method requires",
                reason="SCOPE_MISSING",
                metadata={"missing_scopes": " ".join(sorted(missing))},
            )


_principal: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "lienthong_principal", default=None
)


def current_principal() -> Principal | None:
    """The verified caller of the RPC being handled (None for public methods called without a token)."""
    return _principal.get()


def require_principal() -> Principal:
    principal = _principal.get()
    if principal is None:
        raise Unauthenticated("this method needs an access token", reason="TOKEN_MISSING")
    return principal


def require_citizen() -> str:
    """The personal ID of the calling citizen (claim ``pid`` of a citizen token, set by identity); a machine
    token, or a citizen token without a well-formed ID, is PERMISSION_DENIED (CITIZEN_TOKEN_REQUIRED)."""
    from .personal_id import format_problem

    principal = require_principal()
    pid = str(principal.claims.get("pid", ""))
    if principal.kind != "citizen" or format_problem(pid) is not None:
        raise PermissionDenied(
            "this method needs a citizen's own token carrying their personal ID",
            reason="CITIZEN_TOKEN_REQUIRED",
        )
    return pid


def set_principal(principal: Principal | None) -> contextvars.Token[Principal | None]:
    return _principal.set(principal)


class KeySource:
    """Verification keys by ``kid``, loaded once as key objects and refreshed on an unknown ``kid``."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[Mapping[str, Any]]],
        *,
        min_refresh_interval: float = 5.0,
        failure_backoff: float = 1.0,
    ):
        self._fetch = fetch
        self._keys: dict[str, Any] = {}
        self._algs: dict[str, str] = {}
        self._fetched_at = float("-inf")
        self._failed_at = float("-inf")
        self._lock = asyncio.Lock()
        self.min_refresh_interval = min_refresh_interval
        #: After a failed fetch, calls needing the keys fail at once (UNAVAILABLE) for this many seconds instead
        #: of each waiting for another fetch that would most likely fail too; also the RetryInfo they carry.
        self.failure_backoff = failure_backoff
        #: Whether a JWKS has been fetched at least once (the server reports NOT_SERVING until then).
        self.loaded = False

    @staticmethod
    def from_jwks(jwks: Mapping[str, Any] | str) -> KeySource:
        data = json.loads(jwks) if isinstance(jwks, str) else jwks

        async def fetch() -> Mapping[str, Any]:
            return data

        return KeySource(fetch)

    def load(self, jwks: Mapping[str, Any]) -> None:
        keys: dict[str, Any] = {}
        algs: dict[str, str] = {}
        for entry in jwks.get("keys", []):
            kid = entry.get("kid")
            if not kid or entry.get("use", "sig") != "sig":
                continue
            try:
                keys[kid] = jwt.PyJWK(dict(entry)).key
                algs[kid] = entry.get("alg", "")
            except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
                continue
        self._keys, self._algs = keys, algs

    async def refresh(self, *, force: bool = False) -> None:
        """Fetch the JWKS again (at most every ``min_refresh_interval`` unless ``force``). Raises
        :class:`~lienthong_runtime.errors.Unavailable` (``KEYS_UNAVAILABLE``, with a retry delay) when it cannot
        be fetched, at once while the last failure is under ``failure_backoff`` seconds old."""
        async with self._lock:
            now = time.monotonic()
            if not force and now - self._fetched_at < self.min_refresh_interval:
                return
            if now - self._failed_at < self.failure_backoff:
                raise self._unavailable()
            try:
                jwks = await self._fetch()
            except Exception:
                self._failed_at = time.monotonic()
                log.warning("cannot fetch the signing keys (JWKS)", exc_info=True)
                raise self._unavailable() from None
            self.load(jwks)
            self._fetched_at = time.monotonic()
            self.loaded = True

    def _unavailable(self) -> Unavailable:
        return Unavailable(
            "the token cannot be verified right now (signing keys unavailable); retry",
            reason="KEYS_UNAVAILABLE",
            retry_after=self.failure_backoff,
        )

    async def get(self, kid: str) -> tuple[Any, str] | None:
        key = self._keys.get(kid)
        if key is None:
            await self.refresh()
            key = self._keys.get(kid)
        return (key, self._algs.get(kid, "")) if key is not None else None

    def kids(self) -> list[str]:
        return list(self._keys)


class RevocationState:
    """What a verifier must refuse beyond signature and expiry, as told by identity (its events, or its database
    for identity itself): revoked token ids (until their expiry), suspended agencies, disabled clients, and
    issued-before cut-offs for an agency resumed after a suspension and for a subject whose sessions were revoked.
    """

    def __init__(self) -> None:
        self._revoked: dict[str, float] = {}
        self._suspended: set[str] = set()
        self._suspended_at: dict[str, float] = {}
        self.disabled_clients: set[str] = set()
        self.agency_not_before: dict[str, float] = {}
        self.sessions_not_before: dict[str, float] = {}

    def revoke(self, token_id: str, expires_at: float) -> None:
        self._revoked[token_id] = expires_at
        if len(self._revoked) > 100_000:
            now = time.time()
            self._revoked = {k: v for k, v in self._revoked.items() if v > now}

    def prune(self, now: float | None = None) -> None:
        """Forget revoked ids whose tokens have expired anyway."""
        now = time.time() if now is None else now
        self._revoked = {k: v for k, v in self._revoked.items() if v > now}

    def suspend_agency(self, agency_id: str, at: float = 0.0) -> None:
        """Refuse the agency's tokens; ``at`` (the suspension instant, sub-second) becomes the cut-off on resume."""
        self._suspended.add(agency_id)
        if at:
            self._suspended_at[agency_id] = at

    def resume_agency(self, agency_id: str, not_before: float = 0.0) -> None:
        """Accept the agency's tokens again, except those issued before the cut-off: the suspension instant if it
        is known, else ``not_before``. Cut-offs are exact instants (sub-second), compared with
        :func:`issued_at`, so a token from the very second of the suspension stays refused."""
        self._suspended.discard(agency_id)
        cutoff = self._suspended_at.pop(agency_id, 0.0) or not_before
        if cutoff:
            self.agency_not_before[agency_id] = max(self.agency_not_before.get(agency_id, 0.0), cutoff)

    def disable_client(self, client_id: str) -> None:
        self.disabled_clients.add(client_id)

    def revoke_sessions(self, subject: str, before: float) -> None:
        """Refuse every token of ``subject`` issued before ``before`` (password change, refresh-token reuse)."""
        self.sessions_not_before[subject] = max(self.sessions_not_before.get(subject, 0.0), before)

    def check(self, principal: Principal) -> None:
        if principal.token_id in self._revoked:
            raise Unauthenticated("the token has been revoked", reason="TOKEN_REVOKED")
        if principal.agency_id in self._suspended:
            raise Unauthenticated("the token's agency is suspended", reason="AGENCY_SUSPENDED")
        if principal.client_id and principal.client_id in self.disabled_clients:
            raise Unauthenticated("the token's client is disabled", reason="CLIENT_DISABLED")
        if self.agency_not_before or self.sessions_not_before:
            issued = issued_at(principal.claims)
            if issued < self.agency_not_before.get(principal.agency_id, 0.0):
                raise Unauthenticated("the token predates its agency's suspension", reason="AGENCY_SUSPENDED")
            if issued < self.sessions_not_before.get(principal.subject, 0.0):
                raise Unauthenticated("the token's session has been revoked", reason="TOKEN_REVOKED")


def issued_at(claims: Mapping[str, Any]) -> float:
    """When a token was issued, as exactly as it says: ``iat`` is whole seconds (RFC 7519 NumericDate as PyJWT
    and most verifiers expect it), identity's tokens also carry ``iat_ms``, the millisecond it was signed.

    A cut-off (suspension, revoked sessions) is an exact instant; comparing it with a whole-second ``iat`` would
    let a token signed in the same second just before the cut-off through. Tokens without ``iat_ms`` are taken
    to be issued at the start of their ``iat`` second, which refuses them in that case (the safe side)."""
    try:
        precise = float(claims.get("iat_ms", 0) or 0) / 1000.0
        whole = float(claims.get("iat", 0) or 0)
    except (TypeError, ValueError):
        return 0.0
    # ``iat_ms`` must agree with ``iat`` (same second): a forged precise time cannot move the token past a cut-off
    # because both are signed, but a mismatch means an issuer bug; fall back to the whole second then.
    return precise if whole <= precise < whole + 1 else whole


class TokenVerifier:
    """Verifies access tokens and caches the verified claims until expiry."""

    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        leeway: float = 30.0,
        revocations: RevocationState | None = None,
        cache_size: int = 50_000,
        cache: bool = True,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.revocations = revocations or RevocationState()
        self._cache: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size
        self._cache_enabled = cache

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises ``Unauthenticated`` with a precise reason otherwise."""
        cached = self._cache.get(token) if self._cache_enabled else None
        if cached is not None:
            if cached.expires_at + self.leeway > time.time():
                self.revocations.check(cached)
                return cached
            self._cache.pop(token, None)
        principal = await self._verify_uncached(token)
        self.revocations.check(principal)
        if self._cache_enabled:
            self._cache[token] = principal
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return principal

    async def _verify_uncached(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the token is not a well-formed JWT", reason="TOKEN_MALFORMED") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALLOWED_ALGORITHMS:
            raise Unauthenticated("the token's algorithm is not accepted", reason="TOKEN_ALGORITHM_REJECTED")
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in ACCESS_TOKEN_TYPES:
            raise Unauthenticated("the token is not an access token", reason="TOKEN_TYPE_INVALID")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the token has no key id", reason="TOKEN_KEY_UNKNOWN")
        found = await self.keys.get(kid)
        if found is None:
            raise Unauthenticated("the token's signing key is unknown", reason="TOKEN_KEY_UNKNOWN")
        key, key_alg = found
        if key_alg and key_alg != alg:
            raise Unauthenticated(
                "the token's algorithm does not match its key", reason="TOKEN_ALGORITHM_REJECTED"
            )
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired", reason="TOKEN_EXPIRED") from None
        except jwt.ImmatureSignatureError:
            raise Unauthenticated("the token is not valid yet", reason="TOKEN_NOT_YET_VALID") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated(
                "the token is for another audience", reason="TOKEN_AUDIENCE_INVALID"
            ) from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("the token is from another issuer", reason="TOKEN_ISSUER_INVALID") from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated(
                "the token's signature is invalid", reason="TOKEN_SIGNATURE_INVALID"
            ) from None
        except jwt.PyJWTError:
            raise Unauthenticated("the token is invalid", reason="TOKEN_INVALID") from None
        return Principal.from_claims(claims)


def require_agency() -> Principal:
    """The calling agency's machine client: a verified token that names an agency. A token without one (a citizen
    token, an operator token) is PERMISSION_DENIED ``AGENCY_REQUIRED`` in every service. The agency is always
    ``principal.agency_id``, never a request field."""
    principal = require_principal()
    if principal.kind != "client" or not principal.agency_id:
        raise PermissionDenied("this method is for an agency's machine client", reason="AGENCY_REQUIRED")
    return principal
