"""Client-credentials exchange (secret or RFC 7523 assertion), introspection (RFC 7662), revocation (RFC 7009)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from lienthong.identity.v1 import events_pb2
from lienthong_runtime.auth import Principal, issued_at
from lienthong_runtime.errors import PermissionDenied, Unauthenticated, invalid
from lienthong_runtime.timestamps import timestamp

from ..domain.assertions import verify_assertion
from ..domain.audit import Caller
from ..domain.scopes import CITIZEN_SCOPE, client_ceiling, requested_scopes
from ..domain.tokens import TOKEN_ENDPOINT_PATH, access_claims, looks_like_refresh_token, refresh_token_hash
from .context import Context
from .ports import IdentityUnitOfWork


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    expires_at: float
    scopes: frozenset[str]


@dataclass(frozen=True)
class Introspection:
    active: bool
    kind: str = ""  # "access" or "refresh"
    subject: str = ""
    client_id: str = ""
    agency_id: str = ""
    scopes: frozenset[str] = frozenset()
    issued_at: float = 0.0
    expires_at: float = 0.0
    token_id: str = ""


def mint(
    ctx: Context,
    *,
    subject: str,
    agency_id: str,
    client_id: str,
    scopes: frozenset[str],
    kind: str,
    not_before: float = 0.0,
    **extra: str,
) -> IssuedToken:
    """Sign an access token. ``iat`` is whole seconds and ``iat_ms`` the exact millisecond (what verifiers
    compare with a cut-off, see ``lienthong_runtime.auth.issued_at``); if a revocation cut-off (agency
    suspension, sessions revoked) lies in the current second, both move up to the next second so a verifier
    reading only ``iat`` does not take the new token for one issued before the cut-off (verifiers allow far
    more clock skew than that second)."""
    ttl = ctx.settings.access_token_ttl
    issued = time.time()
    if int(issued) < not_before:
        issued = float(math.ceil(not_before))
    now = int(issued)
    claims = access_claims(
        issuer=ctx.settings.token_issuer,
        audience=ctx.settings.token_audience,
        subject=subject,
        agency_id=agency_id,
        client_id=client_id,
        scopes=scopes,
        kind=kind,
        now=now,
        ttl=ttl,
        iat_ms=int(issued * 1000),
        **extra,
    )
    return IssuedToken(ctx.keys.sign(claims), ttl, float(claims["exp"]), scopes)


async def issue_token(
    uow: IdentityUnitOfWork,
    ctx: Context,
    caller: Caller,
    client_id: str,
    secret: str,
    assertion: str,
    scopes: list[str],
) -> IssuedToken:
    """Authenticate the client, check its agency and scopes, sign a token; audit either way."""
    if not client_id:
        raise invalid("client_id", "is required")
    async with ctx.audited(uow, caller, "token.issue", client_id, actor=client_id) as note:
        now = ctx.now()
        async with uow:
            found = await uow.clients.with_agency(client_id, now)
            client, agency = found if found else (None, None)
            note.agency_id = client.agency_id if client else ""
            if assertion and client is not None:
                client = await uow.clients.get(client_id, now=now)
            if assertion:
                issuer = ctx.settings.token_issuer
                base = issuer.rstrip("/")
                # RFC 7523 3: the issuer or the token endpoint's URL (the HTTP one, and the older "/token").
                audiences = [issuer, f"{base}{TOKEN_ENDPOINT_PATH}", f"{base}/token"]
                proof = verify_assertion(
                    assertion,
                    client_id,
                    client.keys if client else (),
                    audiences,
                    time.time(),
                    ctx.settings.client_assertion_max_lifetime,
                )
                if client is not None and not await uow.clients.use_assertion(
                    client_id, proof.jti, datetime.fromtimestamp(proof.expires_at, UTC), now
                ):
                    raise Unauthenticated("this assertion was already used", reason="ASSERTION_REPLAYED")
            elif ctx.secrets.matches(secret, client.secrets if client else (), now) is None:
                raise Unauthenticated("client authentication failed", reason="INVALID_CLIENT")
            assert client is not None  # a missing client never authenticates
            if not client.active:
                raise PermissionDenied("the client is disabled", reason="CLIENT_DISABLED")
            if agency is None or not agency.active:
                raise PermissionDenied("the client's agency is suspended", reason="AGENCY_SUSPENDED")
            granted = requested_scopes(scopes, client.scopes & client_ceiling(agency.allowed_scopes))
            cutoff = agency.suspended_at.timestamp() if agency.suspended_at else 0.0
            token = mint(
                ctx,
                subject=client.id,
                agency_id=agency.id,
                client_id=client.id,
                scopes=granted,
                kind="client",
                not_before=cutoff,
            )
            await uow.audit(
                caller.event("token.issue", now, target=client.id, actor=client.id, agency_id=agency.id)
            )
        return token


async def introspect(uow: IdentityUnitOfWork, ctx: Context, token: str, hint: str) -> Introspection:
    """RFC 7662: inactive for anything unknown, expired, revoked or whose client/agency/session is dead."""
    if not token:
        raise invalid("token", "is required")
    if hint == "refresh" or looks_like_refresh_token(token):
        found = await _introspect_refresh(uow, ctx, token)
        if found.active or hint == "refresh":
            return found
    return await _introspect_access(uow, ctx, token)


async def _verified(ctx: Context, token: str) -> Principal | None:
    try:
        return await ctx.verifier.verify(token)
    except Unauthenticated:
        return None


async def _introspect_access(uow: IdentityUnitOfWork, ctx: Context, token: str) -> Introspection:
    principal = await _verified(ctx, token)
    if principal is None:
        return Introspection(False)
    issued = issued_at(principal.claims)
    async with uow:
        if await uow.tokens.is_revoked(principal.token_id):
            return Introspection(False)
        if issued < await uow.tokens.sessions_revoked_before(principal.subject):
            return Introspection(False)
        if principal.kind != "citizen":
            client = await uow.clients.get(principal.client_id)
            agency = await uow.agencies.get(principal.agency_id)
            if client is None or not client.active or agency is None or not agency.token_valid(issued):
                return Introspection(False)
    return Introspection(
        True,
        "access",
        principal.subject,
        principal.client_id,
        principal.agency_id,
        principal.scopes,
        issued,
        principal.expires_at,
        principal.token_id,
    )


async def _introspect_refresh(uow: IdentityUnitOfWork, ctx: Context, token: str) -> Introspection:
    async with uow:
        record = await uow.tokens.refresh(refresh_token_hash(token))
    if record is None or not record.usable(ctx.now()):
        return Introspection(False)
    return Introspection(
        True,
        "refresh",
        f"citizen:{record.account_id}",
        scopes=frozenset({CITIZEN_SCOPE}),
        issued_at=record.created_at.timestamp(),
        expires_at=record.expires_at.timestamp(),
    )


async def revoke(uow: IdentityUnitOfWork, ctx: Context, caller: Caller, token: str, hint: str) -> None:
    """RFC 7009: revoke an access token or a refresh token's family; unknown tokens are silently fine."""
    if not token:
        raise invalid("token", "is required")
    now = ctx.now()
    if hint == "refresh" or looks_like_refresh_token(token):
        async with uow:
            record = await uow.tokens.refresh(refresh_token_hash(token))
            if record is not None:
                await uow.tokens.revoke_family(record.family_id, now)
                await uow.audit(caller.event("token.revoke", now, target=f"citizen:{record.account_id}"))
        if record is not None or hint == "refresh":
            return
    principal = await _verified(ctx, token)
    if principal is not None:
        await revoke_access(uow, ctx, caller, principal)


async def revoke_access(uow: IdentityUnitOfWork, ctx: Context, caller: Caller, principal: Principal) -> None:
    """Record the access token as revoked, tell the gateway (TokenRevoked) and this instance's verifier."""
    now = ctx.now()
    async with uow:
        if await uow.tokens.revoke_access(principal.token_id, principal.subject, principal.expires_at, now):
            uow.publish(
                events_pb2.TokenRevoked(
                    token_id=principal.token_id,
                    subject=principal.subject,
                    expire_time=timestamp(principal.expires_at),
                ),
                subject=principal.token_id,
                agency_id=principal.agency_id,
            )
            await uow.audit(caller.event("token.revoke", now, target=principal.subject))
    ctx.committed(uow)
    ctx.revocations.revoke(principal.token_id, principal.expires_at)
