"""Retried creates (issue #13, finding 2): CreateAgency and CreateClient take an idempotency key, and a retry of a
create that committed returns what it created, its secret included, never a second agency or client."""

from __future__ import annotations

import uuid

import grpc
import pytest

from lienthong.identity.v1 import identity_pb2 as pb

from .conftest import ALL_AGENCY_SCOPES, reason_of

pytestmark = pytest.mark.postgres


async def test_a_retried_create_agency_returns_the_agency_and_secret_it_created(identity):
    request = pb.CreateAgencyRequest(
        display_name=f"Sở Tư pháp {uuid.uuid4().hex[:6]}",
        kind=pb.AGENCY_KIND_PROVINCE,
        province_code="01",
        allowed_scopes=ALL_AGENCY_SCOPES,
        initial_client_scopes=ALL_AGENCY_SCOPES,
        idempotency_key=uuid.uuid4().hex,
    )
    admin = await identity.admin()
    first = await identity.stub.CreateAgency(request, metadata=admin)
    again = await identity.stub.CreateAgency(request, metadata=admin)
    assert again == first and first.initial_client_secret
    # The secret the retry returned works.
    assert await identity.token(again.initial_client.client_id, again.initial_client_secret)
    listed = await identity.stub.ListAgencies(pb.ListAgenciesRequest(page_size=500), metadata=admin)
    assert [a.id for a in listed.agencies if a.display_name == request.display_name] == [first.agency.id]

    changed = pb.CreateAgencyRequest(**{**_fields(request), "display_name": "Another name"})
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await identity.stub.CreateAgency(changed, metadata=admin)
    assert reused.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert reason_of(reused.value) == "IDEMPOTENCY_KEY_REUSED"


async def test_a_retried_create_client_returns_the_client_and_secret_it_created(identity):
    agency = await identity.new_agency(province="79")
    auth = await identity.auth(agency.initial_client.client_id, agency.initial_client_secret)
    request = pb.CreateClientRequest(
        display_name="Cổng dịch vụ công", scopes=["registry.citizens.read"], idempotency_key=uuid.uuid4().hex
    )
    first = await identity.stub.CreateClient(request, metadata=auth)
    again = await identity.stub.CreateClient(request, metadata=auth)
    assert again == first and first.client_secret
    assert await identity.token(again.client.client_id, again.client_secret)
    clients = await identity.stub.ListClients(pb.ListClientsRequest(), metadata=auth)
    assert sum(c.display_name == "Cổng dịch vụ công" for c in clients.clients) == 1
    # Keys belong to the calling agency: another agency's same key creates its own client.
    other = await identity.new_agency(province="48")
    other_auth = await identity.auth(other.initial_client.client_id, other.initial_client_secret)
    theirs = await identity.stub.CreateClient(request, metadata=other_auth)
    assert theirs.client.client_id != first.client.client_id
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await identity.stub.CreateClient(
            pb.CreateClientRequest(display_name="x", scopes=[], idempotency_key=request.idempotency_key),
            metadata=auth,
        )
    assert reason_of(reused.value) == "IDEMPOTENCY_KEY_REUSED"


def _fields(message: pb.CreateAgencyRequest) -> dict:
    return {field.name: value for field, value in message.ListFields()}
