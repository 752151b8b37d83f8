"""A third party verifies identity's tokens with an independent JOSE library (joserfc), knowing only the
discovery document's address: it reads ``/.well-known/openid-configuration``, follows ``jwks_uri``, verifies."""

from __future__ import annotations

import aiohttp
import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from lienthong.identity.v1 import identity_pb2 as pb


async def fetch_json(url: str) -> dict:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        return await response.json(content_type=None)


async def test_joserfc_verifies_a_token_from_discovery_and_jwks(migrated_pg, unix_socket, tmp_path):
    from .conftest import serve

    server, identity, issuer = await serve(migrated_pg, unix_socket, tmp_path)
    try:
        await _verify_from_discovery(identity, issuer)
    finally:
        await identity.channel.close()
        await server.stop(0)


async def _verify_from_discovery(identity, issuer: str) -> None:
    created = await identity.new_agency()
    token = await identity.token(created.initial_client.client_id, created.initial_client_secret)

    discovery = await fetch_json(f"{issuer}/.well-known/openid-configuration")
    assert discovery["issuer"] == issuer
    keys = KeySet.import_key_set(await fetch_json(discovery["jwks_uri"]))
    decoded = jwt.decode(token, keys, algorithms=["EdDSA", "ES256"])
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": identity.ctx.settings.token_audience},
        sub={"essential": True, "value": created.initial_client.client_id},
        exp={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
    )
    registry.validate(decoded.claims)

    assert decoded.header["typ"] == "at+jwt"
    assert decoded.header["alg"] == "ES256"  # the default in every mode: the HAProxy front door verifies it
    assert decoded.header["kid"] in {k["kid"] for k in (await fetch_json(discovery["jwks_uri"]))["keys"]}
    assert decoded.claims["agency_id"] == created.agency.id
    assert decoded.claims["client_id"] == created.initial_client.client_id
    assert set(decoded.claims["scope"].split()) == set(created.initial_client.scopes)
    assert decoded.claims["exp"] - decoded.claims["iat"] == 900

    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(BadSignatureError):
        jwt.decode(tampered, keys, algorithms=["EdDSA", "ES256"])


async def test_grpc_jwks_equals_http_jwks(identity):
    grpc_jwks = await identity.stub.GetJwks(pb.GetJwksRequest())
    http_jwks = await fetch_json(f"http://127.0.0.1:{identity.http_port}/.well-known/jwks.json")
    assert [k.kid for k in grpc_jwks.keys] == [k["kid"] for k in http_jwks["keys"]]
    kids = [k["kid"] for k in http_jwks["keys"]]
    assert identity.ctx.keys.current_kid in kids and len(kids) >= 2  # current + the published next key
    assert all("d" not in k for k in http_jwks["keys"])


# joserfc warns that RFC 9864 deprecates the name "EdDSA" (in favour of "Ed25519"); still the registered JOSE
# name Ed25519 keys carry.
@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
async def test_eddsa_stays_a_setting_and_keys_coexist(migrated_pg, unix_socket, tmp_path):
    """With ``signing_algorithm=EdDSA`` new keys are Ed25519; the older ES256 keys stay published beside them
    (deployments without the HAProxy front door may choose it)."""
    from lienthong_runtime.auth import KeySource, TokenVerifier
    from lienthong_runtime.jwks import jwks_fetcher

    from .conftest import start_identity

    server, identity = await start_identity(migrated_pg, unix_socket, tmp_path, signing_algorithm="EdDSA")
    try:
        admin = await identity.admin()
        for _ in range(2):  # the published NEXT key predates the setting; the one after it is EdDSA
            await identity.stub.RotateSigningKey(pb.RotateSigningKeyRequest(), metadata=admin)
        created = await identity.new_agency()
        token = await identity.token(created.initial_client.client_id, created.initial_client_secret)
        url = f"http://127.0.0.1:{identity.http_port}/.well-known/jwks.json"
        keys = KeySet.import_key_set(await fetch_json(url))
        decoded = jwt.decode(token, keys, algorithms=["EdDSA"])
        assert decoded.header["alg"] == "EdDSA"
        assert {"EdDSA", "ES256"} <= {k["alg"] for k in (await fetch_json(url))["keys"]}
        settings = identity.ctx.settings
        verifier = TokenVerifier(
            KeySource(jwks_fetcher(url)), issuer=settings.token_issuer, audience=settings.token_audience
        )
        assert (await verifier.verify(token)).agency_id == created.agency.id
    finally:
        await identity.channel.close()
        await server.stop(0)
