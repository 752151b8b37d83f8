"""A PgBouncer of the tests' own in transaction mode, on a free port in a temp dir, in front of the test
PostgreSQL server. Debian's ``pgbouncer`` (tools/system-deps.sh installs it); it refuses to run as root, so as
root it runs as the ``postgres`` user."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.deploy.distributed import free_port
from tests.faults.infra import Daemon

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def version() -> tuple[int, int]:
    out = subprocess.run([PGBOUNCER, "--version"], capture_output=True, text=True, timeout=10).stdout
    found = re.search(r"PgBouncer (\d+)\.(\d+)", out)
    assert found, out
    return int(found[1]), int(found[2])


@dataclass
class PgBouncer:
    port: int
    pool_size: int
    daemon: Daemon

    def url_for(self, database_url: str) -> str:
        """``database_url`` through this PgBouncer. Before 1.21 PgBouncer cannot keep prepared statements in
        transaction mode, so the URL asks the drivers for none (lienthong_runtime.db.NO_PREPARED)."""
        parsed = make_url(database_url).set(host="127.0.0.1", port=self.port)
        if version() < (1, 21):
            parsed = parsed.update_query_dict({"prepared_statement_cache_size": "0"})
        return parsed.render_as_string(hide_password=False)


@contextlib.contextmanager
def pgbouncer(server_url: str, pool_size: int = 8) -> Iterator[PgBouncer]:
    """PgBouncer in transaction mode for every database of ``server_url``'s server: at most ``pool_size`` server
    connections per database, whatever the number of client connections."""
    server = make_url(server_url)
    root = Path(tempfile.mkdtemp(prefix="lt-pgbouncer-"))
    port = free_port()
    login = f"user={server.username or 'postgres'}" + (
        f" password={server.password}" if server.password else ""
    )
    (root / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={server.host or "127.0.0.1"} port={server.port or 5432} {login}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 2000
ignore_startup_parameters = extra_float_digits
server_reset_query =
logfile = {root}/pgbouncer.log
pidfile = {root}/pgbouncer.pid
"""
    )
    as_postgres = os.geteuid() == 0
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
        for child in root.iterdir():
            shutil.chown(child, "postgres", "postgres")
    prefix = ["runuser", "-u", "postgres", "--"] if as_postgres else []
    daemon = Daemon("pgbouncer", [*prefix, PGBOUNCER, str(root / "pgbouncer.ini")], port, root / "stdout.log")
    try:
        daemon.start()
        yield PgBouncer(port, pool_size, daemon)
    finally:
        daemon.stop()
        shutil.rmtree(root, ignore_errors=True)
