"""The drills' platform: the distributed shape (four blocks and two gateway replicas as OS processes, configured
like the compose file, see tests/deploy/distributed.py) on a PostgreSQL, NATS JetStream, Redis and SMTP sink of
its own, started here in a temp dir and free to crash. Run by ``make test-faults`` (LIENTHONG_FAULT_DRILLS=1);
``make test`` does not collect the drills."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lienthong_cli.services import BUILDING_BLOCKS
from tests.deploy.distributed import DistributedPlatform, create_database, migrate_all
from tests.deploy.manifests import DEPLOY
from tests.deploy.planning import GATEWAY_REPLICAS, plan_processes

from . import infra

if not os.environ.get("LIENTHONG_FAULT_DRILLS"):
    collect_ignore_glob = ["test_*.py"]

ROWS: list[str] = []


@dataclass
class Drills:
    platform: DistributedPlatform
    pg: infra.ThrowawayPostgres
    nats: infra.Daemon
    smtp: infra.Daemon
    redis: infra.Daemon
    workdir: Path


def _start(workdir: Path, pg: infra.ThrowawayPostgres, nats_url: str, redis_url: str, smtp: infra.Daemon):
    secrets = workdir / "secrets"
    subprocess.run(
        ["sh", str(DEPLOY / "compose" / "make-secrets.sh"), str(secrets)], check=True, capture_output=True
    )
    urls = {name: create_database(pg.url, name) for name in BUILDING_BLOCKS}
    for name, url in urls.items():
        (secrets / f"{name}_database_url").write_text(url + "\n")
    mail_dir = workdir / "mail"
    mail_dir.mkdir(exist_ok=True)
    processes = plan_processes(workdir, secrets, nats_url, redis_url, mail_dir)
    prefix = "LIENTHONG_NOTIFY_"
    notify = processes["notify"].env
    notify.pop(f"{prefix}MAIL_SINK_DIR", None)  # the sink is a process of its own here, so that it can fail
    notify |= {f"{prefix}SMTP_HOST": "127.0.0.1", f"{prefix}SMTP_PORT": str(smtp.port)}
    # A fixed sandbox key, so that a restarted payment process still verifies what its predecessor signed.
    processes["payment"].env["LIENTHONG_PAYMENT_SANDBOX_SECRET"] = "drill-sandbox-secret"
    platform = DistributedPlatform(workdir, processes, urls, nats_url, redis_url, mail_dir)
    for name in GATEWAY_REPLICAS:
        processes[name].start(workdir)
    migrate_all(platform)
    for name in BUILDING_BLOCKS:
        processes[name].start(workdir)
    platform.start_bootstrap()
    platform.wait_serving()
    return platform


@pytest.fixture(scope="module")
def drills() -> Iterator[Drills]:
    if shutil.which("nats-server") is None and not Path("/usr/sbin/nats-server").exists():
        pytest.fail("the drills need nats-server (tools/system-deps.sh installs it)")
    workdir = Path(tempfile.mkdtemp(prefix="lt-faults-"))
    workdir.chmod(0o711)  # PostgreSQL runs as its own user when the drills run as root: let it reach pg/
    pg = infra.ThrowawayPostgres(workdir / "pg")
    nats, redis = infra.nats(workdir), infra.redis(workdir)
    smtp = infra.smtp_sink(workdir, workdir / "mail")
    (workdir / "mail").mkdir()
    started: list[object] = []
    try:
        pg.init()
        started.append(pg)
        for daemon in (nats, redis, smtp):
            daemon.start()
            started.append(daemon)
        platform = _start(
            workdir, pg, f"nats://127.0.0.1:{nats.port}", f"redis://127.0.0.1:{redis.port}/0", smtp
        )
        try:
            yield Drills(platform, pg, nats, smtp, redis, workdir)
        finally:
            platform.stop()
    finally:
        for daemon in (smtp, redis, nats):
            daemon.stop()
        pg.stop()
        if not os.environ.get("LIENTHONG_KEEP_FAULTS"):
            shutil.rmtree(workdir, ignore_errors=True)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if ROWS:
        terminalreporter.section("fault drills")
        for row in ROWS:
            terminalreporter.write_line(row)
