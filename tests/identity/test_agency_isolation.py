"""An agency's admin client cannot read, list, change or rotate another agency's clients, nor read the agency."""

from __future__ import annotations

import json

import grpc
import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lienthong.identity.v1 import identity_pb2 as pb

from .conftest import reason_of


async def test_agency_admin_cannot_touch_another_agencys_clients(identity):
    a, b = await identity.new_agency(province="01"), await identity.new_agency(province="79")
    as_a = await identity.auth(a.initial_client.client_id, a.initial_client_secret)
    victim = b.initial_client.client_id
    jwk = pyjwt.algorithms.OKPAlgorithm.to_jwk(Ed25519PrivateKey.generate().public_key(), as_dict=True)
    attempts = [
        identity.stub.GetClient(pb.GetClientRequest(client_id=victim), metadata=as_a),
        identity.stub.DisableClient(pb.DisableClientRequest(client_id=victim, reason="x"), metadata=as_a),
        identity.stub.RotateClientSecret(pb.RotateClientSecretRequest(client_id=victim), metadata=as_a),
        identity.stub.SetClientScopes(pb.SetClientScopesRequest(client_id=victim, scopes=[]), metadata=as_a),
        identity.stub.RegisterClientKey(
            pb.RegisterClientKeyRequest(client_id=victim, public_jwk=json.dumps(jwk | {"kid": "k1"})),
            metadata=as_a,
        ),
        identity.stub.DeleteClientKey(
            pb.DeleteClientKeyRequest(client_id=victim, key_id="k1"), metadata=as_a
        ),
        identity.stub.GetAgency(pb.GetAgencyRequest(agency_id=b.agency.id), metadata=as_a),
    ]
    for attempt in attempts:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await attempt
        assert error.value.code() == grpc.StatusCode.NOT_FOUND  # indistinguishable from "no such client"

    listed = await identity.stub.ListClients(pb.ListClientsRequest(), metadata=as_a)
    assert [c.client_id for c in listed.clients] == [a.initial_client.client_id]
    with pytest.raises(grpc.aio.AioRpcError) as error:  # managing agencies needs the platform scope
        await identity.stub.SuspendAgency(
            pb.SuspendAgencyRequest(agency_id=b.agency.id, reason="x"), metadata=as_a
        )
    assert (error.value.code(), reason_of(error.value)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "SCOPE_MISSING",
    )

    # B is untouched: its secret still works and its scopes are intact.
    as_b = await identity.auth(victim, b.initial_client_secret)
    mine = await identity.stub.GetClient(pb.GetClientRequest(client_id=victim), metadata=as_b)
    assert mine.client.state == pb.CLIENT_STATE_ACTIVE and len(mine.client.secrets) == 1
    assert set(mine.client.scopes) == set(b.initial_client.scopes)


async def test_platform_admin_manages_agencies(identity):
    admin = await identity.admin()
    created = await identity.new_agency(province="48")
    assert created.agency.province_code == "48" and created.agency.kind == pb.AGENCY_KIND_PROVINCE
    got = await identity.stub.GetAgency(pb.GetAgencyRequest(agency_id=created.agency.id), metadata=admin)
    assert got.agency.display_name == created.agency.display_name
    narrowed = await identity.stub.SetAgencyAllowedScopes(
        pb.SetAgencyAllowedScopesRequest(
            agency_id=created.agency.id, allowed_scopes=["identity.agencies.read"]
        ),
        metadata=admin,
    )
    assert list(narrowed.agency.allowed_scopes) == ["identity.agencies.read"]
    own = await identity.auth(created.initial_client.client_id, created.initial_client_secret)
    with pytest.raises(grpc.aio.AioRpcError):  # the client lost identity.clients.admin with the ceiling
        await identity.stub.ListClients(pb.ListClientsRequest(), metadata=own)
    pages, token = [], ""
    for _ in range(100):
        page = await identity.stub.ListAgencies(
            pb.ListAgenciesRequest(page_size=2, page_token=token), metadata=admin
        )
        pages.extend(a.id for a in page.agencies)
        token = page.next_page_token
        if not token:
            break
    assert created.agency.id in pages and len(pages) == len(set(pages))


@pytest.mark.parametrize("code", ["02", "99", "1a", ""])
async def test_province_code_must_be_one_of_the_34(identity, code):
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await identity.stub.CreateAgency(
            pb.CreateAgencyRequest(
                display_name="Tỉnh không tồn tại", kind=pb.AGENCY_KIND_PROVINCE, province_code=code
            ),
            metadata=await identity.admin(),
        )
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(error.value) == "PROVINCE_CODE_INVALID"


OPERATOR_SCOPES = ("platform.admin", "identity.agencies.admin", "registry.policies.admin")


async def test_operator_scopes_never_leave_the_operators_agency(identity):
    """Issue #12, finding 8: an agency holding agency-administration scopes minted a platform operator."""
    for scope in OPERATOR_SCOPES:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await identity.new_agency([scope, "identity.clients.admin"])
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert reason_of(refused.value) == "SCOPE_NOT_ALLOWED"
    agency = await identity.new_agency(["identity.clients.admin", "payment.payments.read"])
    as_agency = await identity.auth(agency.initial_client.client_id, agency.initial_client_secret)
    for scope in OPERATOR_SCOPES:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await identity.stub.CreateClient(
                pb.CreateClientRequest(display_name="x", scopes=[scope]), metadata=as_agency
            )
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await identity.stub.SetAgencyAllowedScopes(
            pb.SetAgencyAllowedScopesRequest(agency_id=agency.agency.id, allowed_scopes=["platform.admin"]),
            metadata=await identity.admin(),
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
