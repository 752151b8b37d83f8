"""A PostgreSQL primary and a streaming hot standby of the tests' own (initdb, pg_basebackup -R, a second port,
in a temp dir), free to pause, stop and restart. Never the machine's shared server."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2

from tests.faults.infra import ThrowawayPostgres, _pg_bin


class Standby(ThrowawayPostgres):
    """A hot standby of ``primary``, cloned with ``pg_basebackup -R`` (standby.signal + primary_conninfo)."""

    def __init__(self, root: Path, primary: ThrowawayPostgres) -> None:
        super().__init__(root)
        self.primary = primary

    def init(self) -> None:
        self._run(
            _pg_bin("pg_basebackup"),
            "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
            "-D", str(self.data), "-R", "-X", "stream", "--no-sync",
        )  # fmt: skip
        self.start()

    def sql(self, statement: str) -> object:
        return run_sql(self.url, statement)


def run_sql(url: str, statement: str) -> object:
    with contextlib.closing(psycopg2.connect(url, connect_timeout=5)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement)
            return cur.fetchone() if cur.description else None


def wait_until(check: object, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():  # type: ignore[operator]
                return
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached after {timeout:.0f}s")


def database_url(server_url: str, name: str) -> str:
    return server_url.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0] + f"/{name}"


@contextlib.contextmanager
def primary_and_standby() -> Iterator[tuple[ThrowawayPostgres, Standby]]:
    workdir = Path(tempfile.mkdtemp(prefix="lt-replicas-"))
    workdir.chmod(0o711)  # PostgreSQL runs as its own user when the tests run as root
    primary = ThrowawayPostgres(workdir / "primary")
    standby = Standby(workdir / "standby", primary)
    try:
        primary.init()
        standby.init()
        wait_until(lambda: standby.sql("SELECT pg_is_in_recovery()") == (True,), what="standby in recovery")
        yield primary, standby
    finally:
        standby.stop()
        primary.stop()
        if not os.environ.get("LIENTHONG_KEEP_REPLICAS"):
            shutil.rmtree(workdir, ignore_errors=True)
