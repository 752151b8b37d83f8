"""GetAgencyNames: a signed-in citizen reads agencies' public names (who accessed their record), nothing else."""

from __future__ import annotations

import grpc
import pytest

from lienthong.identity.v1 import identity_pb2 as pb

from .conftest import reason_of
from .test_citizens import PASSWORD, bearer, registered


async def test_a_citizen_reads_agency_names_in_request_order(identity):
    first, second = await identity.new_agency(), await identity.new_agency()
    pid = await registered(identity)
    login = await identity.stub.Login(pb.LoginRequest(personal_id=pid, password=PASSWORD))
    answer = await identity.stub.GetAgencyNames(
        pb.GetAgencyNamesRequest(
            agency_ids=[second.agency.id, "no-such-agency", first.agency.id, second.agency.id]
        ),
        metadata=bearer(login.access_token),
    )
    assert [(n.agency_id, n.display_name) for n in answer.names] == [
        (second.agency.id, second.agency.display_name),
        (first.agency.id, first.agency.display_name),
    ]


@pytest.mark.parametrize("ids", [[], [f"a{i}" for i in range(101)], ["x" * 65]])
async def test_bad_lookups_are_invalid_arguments(identity, ids):
    pid = await registered(identity)
    login = await identity.stub.Login(pb.LoginRequest(personal_id=pid, password=PASSWORD))
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await identity.stub.GetAgencyNames(
            pb.GetAgencyNamesRequest(agency_ids=ids), metadata=bearer(login.access_token)
        )
    assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT and reason_of(error.value)


async def test_a_machine_token_without_the_citizen_scope_is_refused(identity):
    agency = await identity.new_agency()
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await identity.stub.GetAgencyNames(
            pb.GetAgencyNamesRequest(agency_ids=[agency.agency.id]), metadata=await identity.admin()
        )
    assert error.value.code() is grpc.StatusCode.PERMISSION_DENIED
