"""``distributed_platform``: the distributed shape on this machine, configured like the compose file.

Each building block and two gateway replicas run as separate OS processes (``lienthong serve <service>``),
each with the environment its compose service has, rewritten for one host: container names and ports become
127.0.0.1 and free ports chosen now, ``*_FILE`` secrets come from ``make-secrets.sh`` (database URLs replaced
by one fresh PostgreSQL database per service), the bus is the local NATS JetStream, Redis the local one, and
mailpit is replaced by notify's own mail sink (``.eml`` files in ``mail_dir``). ``lienthong migrate`` runs
first, as the compose migration services do. See distributed.py for the controls (kill, restart, ...) and
planning.py for where each process runs.

A journey plugs in with the endpoints and helpers of ``DistributedPlatform``::

    async def test_journey(distributed_platform):
        credentials = distributed_platform.journey_credentials
        await run_journey(distributed_platform.gateways[0], credentials, distributed_platform.read_mail)
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .distributed import DistributedPlatform, delete_streams, drop_databases, start_platform


@pytest.fixture(scope="module")
def distributed_platform(pg_server: str, nats_url: str) -> Iterator[DistributedPlatform]:
    """identity, registry, payment, notify and two gateway replicas, SERVING; stopped (SIGTERM) afterwards."""
    if shutil.which("sh") is None:
        pytest.skip("make-secrets.sh needs a POSIX shell")
    workdir = Path(tempfile.mkdtemp(prefix="lt-dist-"))
    platform = start_platform(workdir, pg_server, nats_url, redis_url=_redis_url())
    try:
        yield platform
    finally:
        platform.stop()
        drop_databases(pg_server, platform.database_urls)
        delete_streams(platform.bus_url)
        if not os.environ.get("LIENTHONG_KEEP_DIST"):
            shutil.rmtree(workdir, ignore_errors=True)


def _redis_url() -> str:
    """The local Redis for the gateways' shared counters; '' (per-replica buckets) when none answers."""
    configured = os.environ.get("LIENTHONG_TEST_REDIS_URL")
    if configured is not None:
        return configured
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return "redis://127.0.0.1:6379/0"
    except OSError:
        return ""
