"""OAuth 2.0 over HTTP, driven by unmodified standard libraries that know only the issuer URL: authlib's OAuth2
client reads the metadata and obtains tokens (client_secret_basic, client_secret_post, private_key_jwt), joserfc
verifies them from ``jwks_uri``. Then the RFC 6749 refusals, the audit and the per-address budget."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from lienthong.identity.v1 import identity_pb2 as pb
from lienthong_runtime.contract import scope_catalogue


async def discover(issuer: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        reply = await http.get(f"{issuer}/.well-known/oauth-authorization-server")
        assert reply.status_code == 200
        return dict(reply.json())


async def verify(token: str, metadata: dict[str, Any], audience: str) -> dict[str, Any]:
    """What a resource server does with joserfc: keys from ``jwks_uri``, then iss, aud, exp."""
    async with httpx.AsyncClient() as http:
        keys = KeySet.import_key_set((await http.get(metadata["jwks_uri"])).json())
    decoded = jwt.decode(token, keys, algorithms=metadata["token_endpoint_auth_signing_alg_values_supported"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
    ).validate(decoded.claims)
    return dict(decoded.claims)


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
async def test_metadata_names_everything_from_the_issuer(oauth):
    _, issuer = oauth
    metadata = await discover(issuer)
    async with httpx.AsyncClient() as http:
        openid = (await http.get(f"{issuer}/.well-known/openid-configuration")).json()
    assert openid == metadata
    assert metadata["issuer"] == issuer
    for key, path in [
        ("token_endpoint", "/oauth2/token"),
        ("introspection_endpoint", "/oauth2/introspect"),
        ("revocation_endpoint", "/oauth2/revoke"),
        ("jwks_uri", "/.well-known/jwks.json"),
    ]:
        assert metadata[key] == issuer + path
    assert metadata["grant_types_supported"] == ["client_credentials"]
    assert set(metadata["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    }
    assert metadata["scopes_supported"] == sorted(scope_catalogue())
    assert {"agency", "kind", "aud", "scope", "client_id"} <= set(metadata["claims_supported"])


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
async def test_authlib_gets_a_token_with_a_secret_from_discovery_alone(oauth, method):
    identity, issuer = oauth
    created = await identity.new_agency()
    client_id, secret = created.initial_client.client_id, created.initial_client_secret
    metadata = await discover(issuer)
    async with AsyncOAuth2Client(
        client_id, secret, token_endpoint_auth_method=method, scope="registry.citizens.read"
    ) as client:
        token = await client.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 900
    assert token["scope"] == "registry.citizens.read"
    claims = await verify(token["access_token"], metadata, identity.ctx.settings.token_audience)
    assert claims["agency"] == claims["agency_id"] == created.agency.id
    assert claims["kind"] == "client" and claims["sub"] == client_id
    assert claims["scope"] == "registry.citizens.read"


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
async def test_authlib_gets_a_token_with_private_key_jwt(oauth):
    identity, issuer = oauth
    created = await identity.new_agency()
    client_id = created.initial_client.client_id
    key = ECKey.generate_key("P-256", parameters={"kid": "province-key-1"})
    admin = await identity.auth(client_id, created.initial_client_secret)
    await identity.stub.RegisterClientKey(
        pb.RegisterClientKeyRequest(client_id=client_id, public_jwk=json.dumps(key.as_dict(private=False))),
        metadata=admin,
    )
    metadata = await discover(issuer)
    assert "private_key_jwt" in metadata["token_endpoint_auth_methods_supported"]
    auth = PrivateKeyJWT(metadata["token_endpoint"], headers={"kid": "province-key-1"}, alg="ES256")
    async with AsyncOAuth2Client(client_id, key, token_endpoint_auth_method=auth) as client:
        token = await client.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    claims = await verify(token["access_token"], metadata, identity.ctx.settings.token_audience)
    assert claims["client_id"] == client_id and claims["agency"] == created.agency.id
    # The same assertion twice: refused as a replay, as IssueToken refuses it.
    assertion = private_key_jwt_sign(
        key, client_id, metadata["token_endpoint"], alg="ES256", header={"kid": "province-key-1"}
    )
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }
    async with httpx.AsyncClient() as http:
        first = await http.post(metadata["token_endpoint"], data=form)
        second = await http.post(metadata["token_endpoint"], data=form)
    assert first.status_code == 200, first.text
    assert second.status_code == 401
    assert second.json()["error"] == "invalid_client" and second.json()["reason"] == "ASSERTION_REPLAYED"
