"""The call pipeline on a real in-process server: auth from the contract, error mapping, bad bytes, metrics."""

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong_runtime import metrics
from lienthong_runtime.auth import current_principal
from lienthong_runtime.config import ServiceSettings
from lienthong_runtime.errors import InvalidArgument
from lienthong_runtime.server import ServiceApp
from lienthong_runtime.testing import TokenMint, running

SERVICE = "lienthong.identity.v1.IdentityService"


class Servicer(identity_pb2_grpc.IdentityServiceServicer):
    async def GetJwks(self, request, context):
        return identity_pb2.GetJwksResponse(jwks_json='{"keys": []}')

    async def ListAgencies(self, request, context):
        principal = current_principal()
        if request.page_size < 0:
            raise InvalidArgument("page_size must not be negative", reason="PAGE_SIZE_INVALID")
        return identity_pb2.ListAgenciesResponse(next_page_token=principal.agency_id)

    async def GetAgency(self, request, context):
        raise RuntimeError("database password is hunter2")


@pytest.fixture
def mint():
    return TokenMint()


@pytest.fixture
async def channel(mint, unix_socket):
    servicer = Servicer()
    app = ServiceApp(
        name="pipeline-test",
        settings=ServiceSettings(),
        verifier=mint.verifier(),
        register=lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server),
        service_names=[SERVICE],
    )
    async with running(app, unix_socket) as ch:
        yield ch


def _info(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo:
    status = rpc_status.from_call(error)
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    raise AssertionError("no ErrorInfo")


async def _call_error(coro) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await coro
    return caught.value


async def test_public_method_needs_no_token(channel):
    stub = identity_pb2_grpc.IdentityServiceStub(channel)
    assert (await stub.GetJwks(identity_pb2.GetJwksRequest())).jwks_json


async def test_missing_token_and_missing_scope(channel, mint):
    stub = identity_pb2_grpc.IdentityServiceStub(channel)
    error = await _call_error(stub.ListAgencies(identity_pb2.ListAgenciesRequest()))
    assert error.code() is grpc.StatusCode.UNAUTHENTICATED and _info(error).reason == "TOKEN_MISSING"
    error = await _call_error(
        stub.ListAgencies(
            identity_pb2.ListAgenciesRequest(), metadata=mint.metadata(["registry.citizens.read"])
        )
    )
    assert error.code() is grpc.StatusCode.PERMISSION_DENIED and _info(error).reason == "SCOPE_MISSING"


async def test_principal_reaches_the_servicer(channel, mint):
    stub = identity_pb2_grpc.IdentityServiceStub(channel)
    response = await stub.ListAgencies(
        identity_pb2.ListAgenciesRequest(),
        metadata=mint.metadata(["identity.agencies.admin"], agency="ag-42"),
    )
    assert response.next_page_token == "ag-42"


async def test_domain_error_maps_to_status_with_request_id(channel, mint):
    stub = identity_pb2_grpc.IdentityServiceStub(channel)
    metadata = (*mint.metadata(["identity.agencies.admin"]), ("x-request-id", "req-123"))
    error = await _call_error(
        stub.ListAgencies(identity_pb2.ListAgenciesRequest(page_size=-1), metadata=metadata)
    )
    info = _info(error)
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert (info.reason, info.metadata["request_id"]) == ("PAGE_SIZE_INVALID", "req-123")


async def test_unexpected_exception_is_internal_without_its_text(channel, mint):
    stub = identity_pb2_grpc.IdentityServiceStub(channel)
    error = await _call_error(
        stub.GetAgency(identity_pb2.GetAgencyRequest(), metadata=mint.metadata(["identity.agencies.read"]))
    )
    assert error.code() is grpc.StatusCode.INTERNAL
    assert "hunter2" not in (error.details() or "") and _info(error).reason == "INTERNAL"


async def test_garbage_bytes_get_invalid_argument(channel, mint):
    call = channel.unary_unary(f"/{SERVICE}/ListAgencies")
    error = await _call_error(
        call(b"\xff\xff\xff\xff garbage", metadata=mint.metadata(["identity.agencies.admin"]))
    )
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT and _info(error).reason == "MALFORMED_REQUEST"


async def test_wrongly_typed_request_gets_a_clean_status(channel, mint):
    # A GetJwksResponse (string in field 2) sent as ListAgenciesRequest: field 2 there is a string page_token,
    # so send a message whose field 1 (int32 page_size) arrives as a length-delimited string instead.
    wrong = identity_pb2.GetJwksResponse(keys=[identity_pb2.JsonWebKey(kid="x")]).SerializeToString()
    call = channel.unary_unary(f"/{SERVICE}/ListAgencies")
    try:
        await call(wrong, metadata=mint.metadata(["identity.agencies.admin"]))
    except grpc.aio.AioRpcError as error:
        assert error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED)


async def test_unimplemented_method_is_not_a_crash(channel, mint):
    stub = identity_pb2_grpc.IdentityServiceStub(channel)
    error = await _call_error(
        stub.CreateAgency(
            identity_pb2.CreateAgencyRequest(), metadata=mint.metadata(["identity.agencies.admin"])
        )
    )
    assert error.code() is grpc.StatusCode.UNIMPLEMENTED


async def test_metrics_count_calls_by_code(channel):
    stub = identity_pb2_grpc.IdentityServiceStub(channel)
    before = metrics.RPC_CALLS.labels("pipeline-test", "GetJwks", "OK")._value.get()
    await stub.GetJwks(identity_pb2.GetJwksRequest())
    assert metrics.RPC_CALLS.labels("pipeline-test", "GetJwks", "OK")._value.get() == before + 1


async def test_a_lost_database_is_unavailable_not_internal(mint, unix_socket):
    from sqlalchemy.exc import OperationalError

    class Broken(identity_pb2_grpc.IdentityServiceServicer):
        async def GetJwks(self, request, context):
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    servicer = Broken()
    app = ServiceApp(
        name="pipeline-db-test",
        settings=ServiceSettings(),
        verifier=mint.verifier(),
        register=lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server),
        service_names=[SERVICE],
    )
    async with running(app, unix_socket) as channel:
        error = await _call_error(
            identity_pb2_grpc.IdentityServiceStub(channel).GetJwks(identity_pb2.GetJwksRequest())
        )
    assert error.code() is grpc.StatusCode.UNAVAILABLE and _info(error).reason == "DATABASE_UNAVAILABLE"
    assert "SELECT" not in (error.details() or "")


@pytest.mark.parametrize("error", ["too_many", "shutdown"])
async def test_asyncpg_connection_errors_are_unavailable(mint, unix_socket, error):
    import asyncpg.exceptions as asyncpg_exc

    raised = {
        "too_many": asyncpg_exc.TooManyConnectionsError("sorry, too many clients already"),
        "shutdown": asyncpg_exc.AdminShutdownError("terminating connection"),
    }[error]

    class Broken(identity_pb2_grpc.IdentityServiceServicer):
        async def GetJwks(self, request, context):
            raise raised

    servicer = Broken()
    app = ServiceApp(
        name="pipeline-pg-test",
        settings=ServiceSettings(),
        verifier=mint.verifier(),
        register=lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server),
        service_names=[SERVICE],
    )
    async with running(app, unix_socket) as channel:
        failure = await _call_error(
            identity_pb2_grpc.IdentityServiceStub(channel).GetJwks(identity_pb2.GetJwksRequest())
        )
    assert failure.code() is grpc.StatusCode.UNAVAILABLE and _info(failure).reason == "DATABASE_UNAVAILABLE"
