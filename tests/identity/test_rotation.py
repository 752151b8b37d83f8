"""Signing-key rotation without an outage, and refusal of tokens signed by a retired-and-expired key.

The verifier under test fetches the HTTP JWKS only when told to (never on an unknown kid), lagging one rotation
behind identity: it still sees zero failures, because every key is published before it signs and stays
published until its last token has expired.
"""

from __future__ import annotations

import asyncio
import time

import jwt as pyjwt
import pytest

from lienthong.identity.v1 import identity_pb2 as pb
from lienthong_runtime.auth import KeySource, TokenVerifier
from lienthong_runtime.errors import Unauthenticated
from lienthong_runtime.jwks import jwks_fetcher

from .conftest import start_identity


def lagging_verifier(identity) -> TokenVerifier:
    fetch = jwks_fetcher(f"http://127.0.0.1:{identity.http_port}/.well-known/jwks.json")
    keys = KeySource(fetch, min_refresh_interval=3600)  # an unknown kid does NOT trigger a refetch
    settings = identity.ctx.settings
    return TokenVerifier(keys, issuer=settings.token_issuer, audience=settings.token_audience, cache=False)


async def test_continuous_verification_across_rotations_sees_zero_failures(identity):
    created = await identity.new_agency()
    client_id, secret = created.initial_client.client_id, created.initial_client_secret
    verifier = lagging_verifier(identity)
    await verifier.keys.refresh(force=True)
    admin = await identity.admin()
    issued: list[str] = []
    failures: list[str] = []
    kids: set[str] = set()

    async def verify_all() -> None:
        for token in issued[-30:]:
            try:
                await verifier.verify(token)
            except Unauthenticated as exc:
                failures.append(exc.reason)

    for _ in range(4):  # rotations
        for _ in range(5):
            issued.append(await identity.token(client_id, secret))
            kids.add(pyjwt.get_unverified_header(issued[-1])["kid"])
            await verify_all()
        await identity.stub.RotateSigningKey(pb.RotateSigningKeyRequest(), metadata=admin)
        for _ in range(5):  # right after the rotation, before the verifier refreshes
            issued.append(await identity.token(client_id, secret))
            kids.add(pyjwt.get_unverified_header(issued[-1])["kid"])
            await verify_all()
        await verifier.keys.refresh(force=True)  # the verifier's periodic JWKS refresh

    assert failures == []
    assert len(kids) >= 5  # tokens really were signed by successive keys


async def test_token_signed_by_retired_and_expired_key_is_refused(migrated_pg, unix_socket, tmp_path):
    server, identity = await start_identity(
        migrated_pg, unix_socket, tmp_path, access_token_ttl=1, clock_skew=1
    )
    try:
        created = await identity.new_agency()
        old_kid = identity.ctx.keys.current_kid
        _, old_alg, old_private = identity.ctx.keys._signer
        admin = await identity.admin()
        await identity.stub.RotateSigningKey(pb.RotateSigningKeyRequest(), metadata=admin)

        listed = await identity.stub.ListSigningKeys(pb.ListSigningKeysRequest(), metadata=admin)
        states = {k.kid: k.state for k in listed.keys}
        assert states[old_kid] == pb.SIGNING_KEY_STATE_RETIRED
        for _ in range(50):  # retirement + ttl + skew = 2 s
            await asyncio.sleep(0.1)
            jwks = await identity.stub.GetJwks(pb.GetJwksRequest())
            if old_kid not in [k.kid for k in jwks.keys]:
                break
        assert old_kid not in [k.kid for k in jwks.keys]
        listed = await identity.stub.ListSigningKeys(pb.ListSigningKeysRequest(), metadata=admin)
        assert {k.kid: k.state for k in listed.keys}[old_kid] == pb.SIGNING_KEY_STATE_EXPIRED

        # A forged-looking token: valid claims and a fresh exp, but signed by the expired key.
        now = int(time.time())
        settings = identity.ctx.settings
        client_id = created.initial_client.client_id
        claims = {
            "iss": settings.token_issuer,
            "aud": settings.token_audience,
            "sub": client_id,
            "jti": "forged",
            "iat": now,
            "exp": now + 600,
            "agency": created.agency.id,
            "agency_id": created.agency.id,
            "client_id": client_id,
            "kind": "client",
            "scope": "identity.clients.admin",
        }
        forged = pyjwt.encode(
            claims, old_private, algorithm=old_alg, headers={"kid": old_kid, "typ": "at+jwt"}
        )
        fresh = lagging_verifier(identity)
        with pytest.raises(Unauthenticated) as refused:
            await fresh.verify(forged)
        assert refused.value.reason == "TOKEN_KEY_UNKNOWN"
        await identity.ctx.verifier.keys.refresh(force=True)  # what housekeeping does every few seconds
        with pytest.raises(Unauthenticated):
            await identity.ctx.verifier.verify(forged)
        found = await identity.stub.IntrospectToken(
            pb.IntrospectTokenRequest(token=forged), metadata=await identity.admin()
        )
        assert not found.active
    finally:
        await identity.channel.close()
        await server.stop(0)
