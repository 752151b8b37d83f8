"""Fixtures for identity: a migrated database, the service running in-process (Unix socket + HTTP on port 0)
with a platform-admin client, and small factories for agencies, clients and citizens."""

from __future__ import annotations

import base64
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lienthong.identity.v1 import identity_pb2 as pb
from lienthong.identity.v1 import identity_pb2_grpc
from lienthong_identity.bootstrap import build_app, create_context, create_platform_agency, load_settings
from lienthong_identity.handlers.context import Context
from lienthong_runtime import migrations
from lienthong_runtime.forwarded import PROXY_SECRET
from lienthong_runtime.server import Server

#: One key-encryption key for the session's shared database (as production configures one).
SESSION_KEK = base64.urlsafe_b64encode(os.urandom(32)).decode()
ALL_AGENCY_SCOPES = [
    "identity.agencies.read",
    "identity.clients.admin",
    "identity.audit.read",
    "identity.tokens.introspect",
    "registry.citizens.read",
]


@dataclass
class Identity:
    ctx: Context
    stub: identity_pb2_grpc.IdentityServiceStub
    channel: grpc.aio.Channel
    http_port: int
    admin_id: str
    admin_secret: str
    admin_agency: str

    async def token(self, client_id: str, secret: str, scopes: list[str] | None = None) -> str:
        response = await self.stub.IssueToken(
            pb.IssueTokenRequest(client_id=client_id, client_secret=secret, scopes=scopes or [])
        )
        return response.access_token

    async def auth(
        self, client_id: str, secret: str, scopes: list[str] | None = None
    ) -> tuple[tuple[str, str]]:
        return (("authorization", f"Bearer {await self.token(client_id, secret, scopes)}"),)

    async def admin(self) -> tuple[tuple[str, str]]:
        return await self.auth(self.admin_id, self.admin_secret)

    async def new_agency(
        self, scopes: list[str] | None = None, *, province: str = ""
    ) -> pb.CreateAgencyResponse:
        """A fresh agency with an admin client holding ``scopes`` (default: the usual agency scopes)."""
        scopes = scopes or ALL_AGENCY_SCOPES
        kind = pb.AGENCY_KIND_PROVINCE if province else pb.AGENCY_KIND_MINISTRY
        return await self.stub.CreateAgency(
            pb.CreateAgencyRequest(
                display_name=f"Agency {uuid.uuid4().hex[:6]}",
                kind=kind,
                province_code=province,
                allowed_scopes=scopes,
                initial_client_scopes=scopes,
            ),
            metadata=await self.admin(),
        )


#: The tests act as the gateway: identity believes their ``x-forwarded-for`` because they send this secret.
TEST_PROXY_SECRET = "identity-tests-proxy-secret"


def identity_settings(url: str, data_dir: Path, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "database_url": url,
        "dev_mode": True,
        "data_dir": str(data_dir),
        "http_port": 0,
        "bus_url": f"memory://identity-{uuid.uuid4().hex}",
        "key_rotation_interval": 0,
        "housekeeping_interval": 0.5,
        "login_account_delay_cap": 1.0,
        "login_source_delay_cap": 1.0,
        "key_encryption_key": SESSION_KEK,
        "argon2_memory_kib": 8192,  # cheaper hashing keeps the suite fast; production keeps 64 MiB
        "argon2_time_cost": 1,
        "proxy_secret": TEST_PROXY_SECRET,
    }
    values.update(overrides)
    return load_settings(**values)


def _sync_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)


class _ForwardedFor(grpc.aio.UnaryUnaryClientInterceptor):
    """Stamps a per-test source address, as the gateway would, so login throttling of one test's source
    never slows another test (they share a database)."""

    def __init__(self) -> None:
        self.address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"

    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        metadata = list(details.metadata or ())
        if not any(key == "x-forwarded-for" for key, _ in metadata):
            metadata.append(("x-forwarded-for", self.address))
        if not any(key == PROXY_SECRET for key, _ in metadata):
            metadata.append((PROXY_SECRET, TEST_PROXY_SECRET))
        return await continuation(details._replace(metadata=metadata), request)


@pytest.fixture(scope="session")
def identity_db(pg_server: str) -> Iterator[str]:
    """One migrated PostgreSQL database shared by the identity tests of a session (every test creates its own
    agencies, clients and citizens with unique ids, so they never collide); dropped at the end."""
    name = f"lt_identity_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_sync_url(pg_server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = (
        make_url(pg_server)
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )
    migrations.upgrade("lienthong_identity", url, "identity")
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migrated_pg(identity_db: str) -> str:
    return identity_db


async def start_identity(
    url: str, unix_socket: str, data_dir: Path, **overrides: Any
) -> tuple[Server, Identity]:
    ctx = create_context(identity_settings(url, data_dir, **overrides))
    app = build_app(ctx)
    app.settings.unix_socket, app.settings.port = unix_socket, -1
    server = Server(app)
    await server.start()
    channel = grpc.aio.insecure_channel(f"unix:{unix_socket}", interceptors=[_ForwardedFor()])
    admin = await create_platform_agency(ctx)
    identity = Identity(
        ctx,
        identity_pb2_grpc.IdentityServiceStub(channel),
        channel,
        server.http_port,
        admin["client_id"],
        admin["client_secret"],
        admin["agency_id"],
    )
    return server, identity


@pytest.fixture
async def identity(migrated_pg: str, unix_socket: str, tmp_path: Path) -> AsyncIterator[Identity]:
    """Identity on a fresh PostgreSQL database."""
    server, env = await start_identity(migrated_pg, unix_socket, tmp_path)
    try:
        yield env
    finally:
        await env.channel.close()
        await server.stop(0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def serve(url: str, unix_socket: str, data_dir: Path, **overrides: Any) -> tuple[Server, Identity, str]:
    """Identity whose issuer is the URL its HTTP side is served from (as the OAuth metadata requires)."""
    issuer = f"http://127.0.0.1:{(port := free_port())}"
    server, identity = await start_identity(
        url, unix_socket, data_dir, http_port=port, token_issuer=issuer, **overrides
    )
    return server, identity, issuer


@pytest.fixture
async def oauth(migrated_pg: str, unix_socket: str, tmp_path: Path) -> AsyncIterator[tuple[Identity, str]]:
    """Identity serving OAuth over HTTP at its issuer URL: (identity, issuer)."""
    server, identity, issuer = await serve(migrated_pg, unix_socket, tmp_path)
    try:
        yield identity, issuer
    finally:
        await identity.channel.close()
        await server.stop(0)


def reason_of(error: grpc.aio.AioRpcError) -> str:
    """The ErrorInfo reason of a failed call."""
    from grpc_status import rpc_status

    status = rpc_status.from_call(error)
    if status is None:
        return ""
    from google.rpc import error_details_pb2

    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""
