"""The runtime's one classification of database errors (``lienthong_runtime.db_errors``), driven by the real
drivers against a fake PostgreSQL that answers every connection as a restarting server does (SQLSTATE 57P03,
"the database system is starting up"): SQLAlchemy's asyncpg dialect raises a plain ``DBAPIError`` for it."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator

import asyncpg
import grpc
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong_runtime.config import ServiceSettings
from lienthong_runtime.db import create_engine
from lienthong_runtime.db_errors import database_unavailable, sqlstate
from lienthong_runtime.errors import AlreadyExists
from lienthong_runtime.server import ServiceApp
from lienthong_runtime.testing import TokenMint, running

from .test_pipeline import SERVICE, _call_error, _info


def _error_response(code: str, message: str) -> bytes:
    fields = b"".join(k + v.encode() + b"\0" for k, v in ((b"S", "FATAL"), (b"C", code), (b"M", message)))
    body = fields + b"\0"
    return b"E" + struct.pack("!I", len(body) + 4) + body


@pytest.fixture
async def starting_up() -> AsyncIterator[int]:
    """A TCP server speaking just enough of the PostgreSQL protocol to refuse each start-up with 57P03."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                (length,) = struct.unpack("!I", await reader.readexactly(4))
                body = await reader.readexactly(length - 4)
                if struct.unpack("!I", body[:4])[0] == 80877103:  # SSLRequest: no TLS here
                    writer.write(b"N")
                    await writer.drain()
                    continue
                writer.write(_error_response("57P03", "the database system is starting up"))
                await writer.drain()
                break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


async def _sqlalchemy_error(port: int) -> BaseException:
    engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/lienthong", pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return exc
    finally:
        await engine.dispose()
    raise AssertionError("the fake server accepted a connection")


async def test_a_starting_database_through_sqlalchemy_is_unavailable(starting_up):
    error = await _sqlalchemy_error(starting_up)
    # What the drills saw: neither OperationalError nor InterfaceError, so a check by type missed it.
    assert isinstance(error, DBAPIError) and not isinstance(error, OperationalError)
    assert sqlstate(error) == "57P03"
    assert database_unavailable(error)


async def test_a_starting_database_through_asyncpg_is_unavailable(starting_up):
    with pytest.raises(asyncpg.CannotConnectNowError) as caught:
        await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{starting_up}/lienthong")
    assert database_unavailable(caught.value)


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        ("08006", True),  # connection failure
        ("08001", True),  # could not establish a connection
        ("57P01", True),  # admin shutdown
        ("57P02", True),  # crash shutdown
        ("57P03", True),  # cannot connect now
        ("53300", True),  # too many connections
        ("53100", True),  # disk full
        ("57014", False),  # query cancelled (statement timeout): retrying would time out again
        ("23505", False),  # unique violation: the caller's or the code's business
        ("42P01", False),  # undefined table: a defect, INTERNAL
    ],
)
def test_classification_is_by_sqlstate_whatever_the_wrapper(code, retryable):
    class DriverError(Exception):
        sqlstate = code

    class Psycopg2Error(Exception):
        pgcode = code

    for orig in (DriverError("x"), Psycopg2Error("x")):
        assert database_unavailable(orig) is retryable
        assert database_unavailable(DBAPIError("SELECT 1", {}, orig)) is retryable
        wrapped = RuntimeError("while saving")
        wrapped.__cause__ = DBAPIError("SELECT 1", {}, orig)
        assert database_unavailable(wrapped) is retryable


def test_errors_without_a_sqlstate():
    assert database_unavailable(ConnectionRefusedError("refused"))
    assert database_unavailable(asyncpg.InterfaceError("connection is closed"))
    assert database_unavailable(OperationalError("SELECT 1", {}, Exception("database is locked")))
    assert not database_unavailable(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")))
    assert not database_unavailable(ValueError("a bug"))
    # A service's own answer is never reclassified, whatever it was raised from.
    try:
        try:
            raise ConnectionResetError("reset")
        except ConnectionResetError:
            raise AlreadyExists("exists") from None
    except AlreadyExists as exc:
        assert not database_unavailable(exc)


async def test_the_pipeline_answers_unavailable_for_a_starting_database(unix_socket, starting_up):
    mint = TokenMint()

    class Starting(identity_pb2_grpc.IdentityServiceServicer):
        async def GetJwks(self, request, context):
            engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{starting_up}/lienthong")
            try:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            finally:
                await engine.dispose()
            return identity_pb2.GetJwksResponse()

    servicer = Starting()
    app = ServiceApp(
        name="pipeline-db-starting",
        settings=ServiceSettings(),
        verifier=mint.verifier(),
        register=lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server),
        service_names=[SERVICE],
    )
    async with running(app, unix_socket) as channel:
        error = await _call_error(
            identity_pb2_grpc.IdentityServiceStub(channel).GetJwks(identity_pb2.GetJwksRequest())
        )
    assert error.code() is grpc.StatusCode.UNAVAILABLE, error.details()
    assert _info(error).reason == "DATABASE_UNAVAILABLE"
