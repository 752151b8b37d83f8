"""Test foundation shared by every test package.

* ``pg_url``: a fresh, empty PostgreSQL database for one test. Taken, in order, from ``LIENTHONG_TEST_PG_URL``
  (a server URL; a database is created per test), a testcontainers PostgreSQL when a Docker engine answers, the
  local server on 127.0.0.1:5432, or a skip that names why.
* ``db_url``: parametrised over SQLite and PostgreSQL, for code that must work on both.
* ``nats_url``: the local NATS JetStream (``LIENTHONG_TEST_NATS_URL`` or nats://127.0.0.1:4222), else a skip.
* ``unix_socket``: a fresh Unix socket path for an in-process server.
"""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

_PG_SERVER: str | None = None
_PG_SKIP_REASON = ""


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _docker_available() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server URL (admin database) for the whole session."""
    configured = os.environ.get("LIENTHONG_TEST_PG_URL")
    if configured:
        yield configured
        return
    if _docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as container:
            yield container.get_connection_url()
        return
    if _port_open("127.0.0.1", 5432):
        yield "postgresql://postgres@127.0.0.1:5432/postgres"
        return
    pytest.skip("no PostgreSQL: LIENTHONG_TEST_PG_URL unset, no Docker engine, nothing on 127.0.0.1:5432")


def _sync_url(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test (async driver URL); dropped afterwards."""
    name = f"lt_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(_sync_url(pg_server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server).set(drivername="postgresql+asyncpg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database on each backend the services support."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def nats_url() -> str:
    url = os.environ.get("LIENTHONG_TEST_NATS_URL", "nats://127.0.0.1:4222")
    parsed = make_url(url.replace("nats://", "nats+x://"))
    if not _port_open(parsed.host or "127.0.0.1", parsed.port or 4222):
        pytest.skip(f"no NATS server at {url} (set LIENTHONG_TEST_NATS_URL or start nats-server -js)")
    return url


@pytest.fixture
def unix_socket() -> Iterator[str]:
    # Unix socket paths are limited to ~107 bytes, so keep them out of deep pytest tmp folders.
    folder = tempfile.mkdtemp(prefix="lt-")
    path = os.path.join(folder, "grpc.sock")
    yield path
    if os.path.exists(path):
        os.unlink(path)
    os.rmdir(folder)
