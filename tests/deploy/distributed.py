"""Runs the compose topology as local OS processes (see conftest.py, ``distributed_platform``)."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import importlib.util
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lienthong_cli.services import BUILDING_BLOCKS, SERVICES

from .manifests import DEPLOY
from .planning import GATEWAY_REPLICAS, Process, free_port, lienthong_command, plan_processes

__all__ = [
    "GATEWAY_REPLICAS",
    "DistributedPlatform",
    "Process",
    "free_port",
    "grpc_health_check",
    "lienthong_command",
    "start_platform",
]

#: Bound on a process becoming SERVING (seconds): several interpreters start at once on a small machine.
STARTUP_TIMEOUT = 90.0
_HEALTH = importlib.util.spec_from_file_location("grpc_health_check", DEPLOY / "grpc_health_check.py")
assert _HEALTH and _HEALTH.loader
grpc_health_check = importlib.util.module_from_spec(_HEALTH)
_HEALTH.loader.exec_module(grpc_health_check)


@dataclass
class DistributedPlatform:
    """Endpoints and controls of the running processes."""

    workdir: Path
    processes: dict[str, Process]
    database_urls: dict[str, str]
    bus_url: str
    redis_url: str
    mail_dir: Path
    _bootstrap: subprocess.Popen[str] | None = None

    @property
    def endpoints(self) -> dict[str, str]:
        """Direct gRPC address of each building block (``127.0.0.1:port``)."""
        return {name: self.processes[name].target for name in BUILDING_BLOCKS}

    @property
    def gateways(self) -> list[str]:
        """gRPC addresses of the two gateway replicas."""
        return [self.processes[name].target for name in GATEWAY_REPLICAS]

    @property
    def http(self) -> dict[str, str]:
        """HTTP side server of each process (``/metrics``, ``/healthz``, JWKS, callbacks)."""
        return {name: f"http://127.0.0.1:{p.http_port}" for name, p in self.processes.items()}

    # --- lifecycle ----------------------------------------------------------------------------------------------
    def serving(self, name: str) -> bool:
        return self.processes[name].alive() and grpc_health_check.check(
            self.processes[name].target, timeout=1.0
        )

    def wait_serving(self, *names: str, timeout: float = STARTUP_TIMEOUT) -> None:
        """Until every named process (default: all) answers SERVING; fails with its log if it exits or hangs."""
        pending = list(names or self.processes)
        deadline = time.monotonic() + timeout
        while pending:
            for name in list(pending):
                process = self.processes[name]
                if not process.alive():
                    raise AssertionError(
                        f"{name} exited ({process.popen and process.popen.returncode}):\n{process.tail()}"
                    )
                if self.serving(name):
                    pending.remove(name)
            if pending and time.monotonic() > deadline:
                logs = "\n".join(f"== {n}\n{self.processes[n].tail()}" for n in pending)
                raise AssertionError(f"not SERVING after {timeout:.0f}s: {pending}\n{logs}")
            if pending:
                time.sleep(0.2)

    def kill(self, name: str) -> None:
        """``kill -9``: no drain, no stop hooks (a crash or an OOM kill)."""
        process = self.processes[name]
        assert process.popen is not None and process.alive(), f"{name} is not running"
        os.kill(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout=10)

    def restart(self, name: str) -> None:
        """Start the process again (as the container's restart policy would) and wait until it serves."""
        if self.processes[name].alive():
            self.kill(name)
        self.processes[name].start(self.workdir)
        self.wait_serving(name)

    def stop(self, grace: float = 5.0) -> dict[str, int | None]:
        """SIGTERM everything (graceful drain), SIGKILL what still runs after ``grace`` seconds in total.
        Returns the exit codes."""
        bootstrap = self._bootstrap
        if bootstrap is not None and bootstrap.poll() is None:
            bootstrap.kill()
            bootstrap.communicate(timeout=10)
        running = [p for p in self.processes.values() if p.alive()]
        for process in running:
            assert process.popen is not None
            process.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        codes: dict[str, int | None] = {}
        for process in running:
            assert process.popen is not None
            try:
                codes[process.name] = process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.popen.kill()
                codes[process.name] = process.popen.wait(timeout=10)
        return codes

    # --- operator commands and journey helpers ------------------------------------------------------------------
    def run_cli(self, service: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """``lienthong <args>`` with the environment of ``service``'s container."""
        env = next(p.env for p in self.processes.values() if p.service == service)
        return subprocess.run(
            [*lienthong_command(), *args],
            env=env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start_bootstrap(self) -> None:
        """Start ``lienthong identity bootstrap`` in the background (read by :attr:`operator`)."""
        env = self.processes["identity"].env
        self._bootstrap = subprocess.Popen(
            [*lienthong_command(), "identity", "bootstrap"],
            env=env,
            cwd=self.workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @cached_property
    def operator(self) -> dict[str, str]:
        """``lienthong identity bootstrap``: the platform operator's agency and admin client (once)."""
        if self._bootstrap is None:
            self.start_bootstrap()
        assert self._bootstrap is not None
        stdout, stderr = self._bootstrap.communicate(timeout=120)
        assert self._bootstrap.returncode == 0, stdout + stderr
        pairs = (line.strip().split(": ", 1) for line in stdout.splitlines() if line.startswith("  "))
        created = dict(pair for pair in pairs if len(pair) == 2)
        assert {"agency_id", "client_id", "client_secret"} <= set(created), stdout
        return created

    @cached_property
    def journey_credentials(self) -> dict[str, str]:
        """A province agency whose client holds every scope an agency may hold (no operator scope), created through
        the first gateway with the operator's token, plus the operator's client (``admin_*``): the shape
        ``tests/journey/journey.py`` takes."""
        from lienthong.client import ClientCredentials, SyncTokenSource, connect_sync
        from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
        from lienthong_identity.domain.scopes import agency_grantable
        from lienthong_runtime.contract import scope_catalogue

        admin = self.operator
        scopes = sorted(agency_grantable(scope_catalogue()))
        public = connect_sync(self.gateways[0])
        tokens = SyncTokenSource.from_client_credentials(
            public,
            ClientCredentials(
                admin["client_id"], admin["client_secret"], scopes=("identity.agencies.admin",)
            ),
        )
        with connect_sync(self.gateways[0], token_source=tokens) as channel:
            created = identity_pb2_grpc.IdentityServiceStub(channel).CreateAgency(
                identity_pb2.CreateAgencyRequest(
                    display_name=f"UBND Thành phố Hà Nội (distributed {uuid.uuid4().hex[:6]})",
                    kind=identity_pb2.AGENCY_KIND_PROVINCE,
                    province_code="01",
                    allowed_scopes=scopes,
                    initial_client_scopes=scopes,
                )
            )
        public.close()
        return {
            "agency_id": created.agency.id,
            "client_id": created.initial_client.client_id,
            "client_secret": created.initial_client_secret,
            "admin_client_id": admin["client_id"],
            "admin_client_secret": admin["client_secret"],
        }

    async def read_mail(self, address: str) -> str | None:
        """Subject and text of the first message notify delivered to ``address`` (the mail catcher's inbox),
        or None while there is none."""
        await asyncio.sleep(0)
        for path in sorted(self.mail_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(message["To"]):
                body = message.get_body(preferencelist=("plain", "html"))
                return f"{message['Subject']}\n{body.get_content() if body else ''}"  # type: ignore[union-attr]
        return None


# --- construction -----------------------------------------------------------------------------------------------
def start_platform(
    workdir: Path,
    pg_server: str,
    nats_url: str,
    *,
    redis_url: str,
    serve_through: Callable[[str], str] | None = None,
) -> DistributedPlatform:
    """Create the databases and secrets, migrate, start every process and wait until all serve.
    ``serve_through`` rewrites each block's database URL after the migrations (which talk to PostgreSQL
    itself), e.g. to reach it through a connection pooler."""
    secrets = workdir / "secrets"
    subprocess.run(
        ["sh", str(DEPLOY / "compose" / "make-secrets.sh"), str(secrets)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    database_urls = {name: create_database(pg_server, name) for name in BUILDING_BLOCKS}
    for name, url in database_urls.items():
        (secrets / f"{name}_database_url").write_text(url + "\n")
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    # Streams and subjects of this platform only: the NATS server is shared with other tests.
    bus_url = f"{nats_url}{'&' if '?' in nats_url else '?'}namespace=dist{uuid.uuid4().hex[:10]}"
    processes = plan_processes(workdir, secrets, bus_url, redis_url, mail_dir)
    platform = DistributedPlatform(workdir, processes, database_urls, bus_url, redis_url, mail_dir)
    try:
        # The gateways need no database, so they start while the migrations run (they health-check their
        # upstreams and take each in once it serves, as after compose's depends_on); the blocks start once
        # migrated, like compose's service_completed_successfully; the operator bootstrap runs meanwhile.
        for name in GATEWAY_REPLICAS:
            processes[name].start(workdir)
        migrate_all(platform)
        if serve_through is not None:
            for name, url in database_urls.items():
                (secrets / f"{name}_database_url").write_text(serve_through(url) + "\n")
        for name in BUILDING_BLOCKS:
            processes[name].start(workdir)
        platform.start_bootstrap()
        platform.wait_serving()
    except BaseException:
        platform.stop()
        drop_databases(pg_server, database_urls)
        delete_streams(bus_url)
        raise
    return platform


def migrate_all(platform: DistributedPlatform) -> None:
    """``lienthong migrate all`` with every block's container environment (their variables are disjoint by
    prefix): the compose migration services' work in one process, which saves interpreter start-ups."""
    env: dict[str, str] = {}
    for name in BUILDING_BLOCKS:
        env |= platform.processes[name].env
    done = subprocess.run(
        [*lienthong_command(), "migrate", "all"],
        env=env,
        cwd=platform.workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"lienthong migrate all failed:\n{done.stdout}{done.stderr}"
    for name in BUILDING_BLOCKS:
        if SERVICES[name].migrates:
            assert f"{name}: migrated to head" in done.stdout, done.stdout


def _admin(pg_server: str) -> Any:
    url = make_url(pg_server).set(drivername="postgresql+psycopg2")
    return create_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")


def create_database(pg_server: str, service: str) -> str:
    name = f"lt_dist_{service}_{uuid.uuid4().hex[:10]}"
    admin = _admin(pg_server)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return (
        make_url(pg_server)
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )


def drop_databases(pg_server: str, urls: dict[str, str]) -> None:
    admin = _admin(pg_server)
    with admin.connect() as conn:
        for url in urls.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def sync_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)


def delete_streams(bus_url: str) -> None:
    """Remove this platform's streams (its namespace) from the shared NATS server."""
    from lienthong_runtime.nats_bus import JetStreamBus

    bus = JetStreamBus(bus_url)

    async def delete() -> None:
        import nats

        nc = await nats.connect(bus.servers, connect_timeout=2, max_reconnect_attempts=1)
        try:
            js = nc.jetstream()
            for name in (bus.options.event_stream, bus.options.dlq_stream, bus.options.replay_stream):
                with contextlib.suppress(Exception):
                    await js.delete_stream(name)
        finally:
            await nc.close()

    with contextlib.suppress(Exception):
        asyncio.run(asyncio.wait_for(delete(), timeout=10))
