"""Hostile inputs, each refused with the right status code and ErrorInfo reason."""

from __future__ import annotations

import json
import time
import uuid

import grpc
import jwt as pyjwt
import pyotp
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lienthong.identity.v1 import identity_pb2 as pb

from .conftest import reason_of

PASSWORD = "đúng-mật-khẩu-dài-2025"


async def refused(call, code: grpc.StatusCode, reason: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    assert (error.value.code(), reason_of(error.value)) == (code, reason)


def personal_id() -> str:
    return f"001{'2'}{'05'}{uuid.uuid4().int % 10**6:06d}"


async def test_wrong_secret(identity):
    created = await identity.new_agency()
    request = pb.IssueTokenRequest(client_id=created.initial_client.client_id, client_secret="lts_wrong")
    await refused(identity.stub.IssueToken(request), grpc.StatusCode.UNAUTHENTICATED, "INVALID_CLIENT")
    unknown = pb.IssueTokenRequest(client_id="cl_nobody", client_secret=created.initial_client_secret)
    await refused(identity.stub.IssueToken(unknown), grpc.StatusCode.UNAUTHENTICATED, "INVALID_CLIENT")


async def test_disabled_client(identity):
    created = await identity.new_agency()
    owner = await identity.auth(created.initial_client.client_id, created.initial_client_secret)
    other = await identity.stub.CreateClient(
        pb.CreateClientRequest(display_name="batch", scopes=["identity.agencies.read"]), metadata=owner
    )
    old = await identity.auth(other.client.client_id, other.client_secret)
    await identity.stub.DisableClient(
        pb.DisableClientRequest(client_id=other.client.client_id, reason="decommissioned"), metadata=owner
    )
    request = pb.IssueTokenRequest(client_id=other.client.client_id, client_secret=other.client_secret)
    await refused(identity.stub.IssueToken(request), grpc.StatusCode.PERMISSION_DENIED, "CLIENT_DISABLED")
    # Its outstanding token is dead for identity's own verifier and for introspection.
    await refused(
        identity.stub.GetAgency(pb.GetAgencyRequest(agency_id=created.agency.id), metadata=old),
        grpc.StatusCode.UNAUTHENTICATED,
        "CLIENT_DISABLED",
    )
    found = await identity.stub.IntrospectToken(
        pb.IntrospectTokenRequest(token=old[0][1][7:]), metadata=owner
    )
    assert not found.active


async def test_suspended_agency(identity):
    created = await identity.new_agency()
    client_id, secret = created.initial_client.client_id, created.initial_client_secret
    old = await identity.auth(client_id, secret)
    admin = await identity.admin()
    await identity.stub.SuspendAgency(
        pb.SuspendAgencyRequest(agency_id=created.agency.id, reason="audit"), metadata=admin
    )
    request = pb.IssueTokenRequest(client_id=client_id, client_secret=secret)
    await refused(identity.stub.IssueToken(request), grpc.StatusCode.PERMISSION_DENIED, "AGENCY_SUSPENDED")
    get = pb.GetAgencyRequest(agency_id=created.agency.id)
    await refused(
        identity.stub.GetAgency(get, metadata=old), grpc.StatusCode.UNAUTHENTICATED, "AGENCY_SUSPENDED"
    )
    introspect = pb.IntrospectTokenRequest(token=old[0][1][7:])
    assert not (await identity.stub.IntrospectToken(introspect, metadata=admin)).active

    await identity.stub.ResumeAgency(pb.ResumeAgencyRequest(agency_id=created.agency.id), metadata=admin)
    assert not (await identity.stub.IntrospectToken(introspect, metadata=admin)).active  # stays dead
    fresh = await identity.auth(client_id, secret)
    assert (await identity.stub.GetAgency(get, metadata=fresh)).agency.state == pb.AGENCY_STATE_ACTIVE


async def test_scopes_not_granted(identity):
    created = await identity.new_agency(["identity.agencies.read"])
    request = pb.IssueTokenRequest(
        client_id=created.initial_client.client_id,
        client_secret=created.initial_client_secret,
        scopes=["identity.clients.admin"],
    )
    await refused(identity.stub.IssueToken(request), grpc.StatusCode.PERMISSION_DENIED, "SCOPE_NOT_GRANTED")


async def _client_with_key(identity):
    created = await identity.new_agency()
    key = Ed25519PrivateKey.generate()
    jwk = pyjwt.algorithms.OKPAlgorithm.to_jwk(key.public_key(), as_dict=True) | {"kid": "deploy-1"}
    owner = await identity.auth(created.initial_client.client_id, created.initial_client_secret)
    await identity.stub.RegisterClientKey(
        pb.RegisterClientKeyRequest(client_id=created.initial_client.client_id, public_jwk=json.dumps(jwk)),
        metadata=owner,
    )
    return created.initial_client.client_id, key


def assertion(identity, client_id: str, key, *, jti: str | None = None, exp_in: int = 120) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": identity.ctx.settings.token_issuer,
        "jti": jti or uuid.uuid4().hex,
        "iat": now,
        "exp": now + exp_in,
    }
    return pyjwt.encode(claims, key, algorithm="EdDSA", headers={"kid": "deploy-1"})


async def test_replayed_assertion_jti(identity):
    client_id, key = await _client_with_key(identity)
    signed = assertion(identity, client_id, key)
    request = pb.IssueTokenRequest(client_id=client_id, client_assertion=signed)
    assert (await identity.stub.IssueToken(request)).access_token
    await refused(identity.stub.IssueToken(request), grpc.StatusCode.UNAUTHENTICATED, "ASSERTION_REPLAYED")


async def test_expired_assertion(identity):
    client_id, key = await _client_with_key(identity)
    request = pb.IssueTokenRequest(
        client_id=client_id, client_assertion=assertion(identity, client_id, key, exp_in=-120)
    )
    await refused(identity.stub.IssueToken(request), grpc.StatusCode.UNAUTHENTICATED, "ASSERTION_EXPIRED")
    other_key = Ed25519PrivateKey.generate()
    forged = pb.IssueTokenRequest(
        client_id=client_id, client_assertion=assertion(identity, client_id, other_key)
    )
    await refused(identity.stub.IssueToken(forged), grpc.StatusCode.UNAUTHENTICATED, "INVALID_CLIENT")


async def test_refresh_token_reuse_revokes_the_family(identity):
    pid = personal_id()
    await identity.stub.RegisterCitizen(pb.RegisterCitizenRequest(personal_id=pid, password=PASSWORD))
    first = await identity.stub.Login(pb.LoginRequest(personal_id=pid, password=PASSWORD))
    second = await identity.stub.RefreshToken(pb.RefreshTokenRequest(refresh_token=first.refresh_token))
    await refused(
        identity.stub.RefreshToken(pb.RefreshTokenRequest(refresh_token=first.refresh_token)),
        grpc.StatusCode.UNAUTHENTICATED,
        "REFRESH_TOKEN_REUSED",
    )
    # The thief's reuse kills the legitimate successor too, and the access tokens of the account.
    await refused(
        identity.stub.RefreshToken(pb.RefreshTokenRequest(refresh_token=second.refresh_token)),
        grpc.StatusCode.UNAUTHENTICATED,
        "REFRESH_TOKEN_INVALID",
    )
    admin = await identity.admin()
    for token in (second.refresh_token, first.access_token):
        assert not (
            await identity.stub.IntrospectToken(pb.IntrospectTokenRequest(token=token), metadata=admin)
        ).active


async def test_totp_code_reuse_within_its_window(identity):
    pid = personal_id()
    await identity.stub.RegisterCitizen(pb.RegisterCitizenRequest(personal_id=pid, password=PASSWORD))
    session = await identity.stub.Login(pb.LoginRequest(personal_id=pid, password=PASSWORD))
    me = (("authorization", f"Bearer {session.access_token}"),)
    enrolled = await identity.stub.EnrollTotp(pb.EnrollTotpRequest(), metadata=me)
    totp = pyotp.TOTP(enrolled.secret)
    await identity.stub.ConfirmTotp(pb.ConfirmTotpRequest(totp_code=totp.now()), metadata=me)

    await refused(
        identity.stub.Login(pb.LoginRequest(personal_id=pid, password=PASSWORD)),
        grpc.StatusCode.UNAUTHENTICATED,
        "TOTP_REQUIRED",
    )
    next_code = totp.at(time.time() + 30)  # still inside the accepted window, never used yet
    login = pb.LoginRequest(personal_id=pid, password=PASSWORD, totp_code=next_code)
    assert (await identity.stub.Login(login)).access_token
    await refused(identity.stub.Login(login), grpc.StatusCode.UNAUTHENTICATED, "TOTP_REUSED")


@pytest.mark.parametrize(
    "bad", ["12345678901", "0012030123456", "00120301234a", "097203012345", "001293012345"]
)
async def test_malformed_personal_id(identity, bad):
    register = pb.RegisterCitizenRequest(personal_id=bad, password=PASSWORD)
    await refused(
        identity.stub.RegisterCitizen(register), grpc.StatusCode.INVALID_ARGUMENT, "PERSONAL_ID_INVALID"
    )
    await refused(
        identity.stub.Login(pb.LoginRequest(personal_id=bad, password=PASSWORD)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "PERSONAL_ID_INVALID",
    )


async def test_private_key_material_is_refused_as_client_key(identity):
    created = await identity.new_agency()
    owner = await identity.auth(created.initial_client.client_id, created.initial_client_secret)
    private = pyjwt.algorithms.OKPAlgorithm.to_jwk(Ed25519PrivateKey.generate(), as_dict=True) | {
        "kid": "oops"
    }
    request = pb.RegisterClientKeyRequest(
        client_id=created.initial_client.client_id, public_jwk=json.dumps(private)
    )
    await refused(
        identity.stub.RegisterClientKey(request, metadata=owner),
        grpc.StatusCode.INVALID_ARGUMENT,
        "CLIENT_KEY_PRIVATE",
    )
