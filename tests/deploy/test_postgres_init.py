"""compose's (and the dev overlay's) PostgreSQL init script against a real server: one role and one database
per service from the services' own database-URL secrets, each role owning only its database."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from .manifests import DEPLOY

SCRIPT = DEPLOY / "compose" / "postgres" / "init-databases.sh"
SERVICES = ("identity", "registry", "payment", "notify", "documents", "dossiers")

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def created(pg_server, tmp_path_factory):
    """Runs the script once for the module (dropping databases is slow): (result, URLs, admin engine)."""
    tmp_path = tmp_path_factory.mktemp("init-secrets")
    if shutil.which("psql") is None:
        pytest.skip("psql not installed")
    server = make_url(pg_server)
    suffix = uuid.uuid4().hex[:8]
    urls = {}
    for service in SERVICES:
        name = f"lt_init_{service}_{suffix}"
        password = uuid.uuid4().hex
        urls[service] = f"postgresql+asyncpg://{name}:{password}@postgres:5432/{name}"
        (tmp_path / f"{service}_database_url").write_text(urls[service] + "\n")
    env = {
        **os.environ,
        "LIENTHONG_SECRETS_DIR": str(tmp_path),
        "POSTGRES_USER": server.username or "postgres",
        "PGHOST": server.host or "127.0.0.1",
        "PGPORT": str(server.port or 5432),
        "PGPASSWORD": server.password or "",
    }
    done = subprocess.run(
        ["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    admin = create_engine(
        server.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        yield done, {s: make_url(u).set(host=server.host, port=server.port) for s, u in urls.items()}, admin
    finally:
        with admin.connect() as conn:
            for url in urls.values():
                name = make_url(url).database
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def test_each_service_gets_its_own_role_and_database(created):
    done, urls, admin = created
    assert done.returncode == 0, done.stderr
    with admin.connect() as conn:
        for url in urls.values():
            owner = conn.execute(
                text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :d"),
                {"d": url.database},
            ).scalar_one()
            assert owner == url.username
    for url in urls.values():  # the role can connect to and build its schema in its database
        engine = create_engine(
            url.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
        )
        with engine.begin() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one() == url.username
            conn.execute(text("CREATE TABLE migration_probe (id int)"))
        engine.dispose()


def test_a_service_cannot_connect_to_another_services_database(created):
    done, urls, _ = created
    assert done.returncode == 0, done.stderr
    intruder = urls["notify"].set(database=urls["registry"].database, drivername="postgresql+psycopg2")
    engine = create_engine(intruder.render_as_string(hide_password=False))
    with pytest.raises(OperationalError, match="permission denied"):
        engine.connect()
    engine.dispose()


def test_missing_secret_stops_the_init(pg_server, tmp_path):
    env = {**os.environ, "LIENTHONG_SECRETS_DIR": str(tmp_path), "POSTGRES_USER": "postgres"}
    done = subprocess.run(
        ["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode != 0 and "make-secrets.sh" in done.stderr
