"""The two platforms the hostile suite attacks, behind one interface (:class:`Target`):

* ``embedded``: ``lienthong dev`` as its own process (SQLite files, in-process bus, mail sink), as a developer
  runs it; its output goes to a log file in the data folder;
* ``distributed``: one process per service and two gateway replicas configured like the compose file, on
  PostgreSQL and NATS JetStream (``tests/deploy/distributed.py``).

Each gives the gateway, every service's own port (attacked directly too), the demo agency's and the operator's
credentials, and where the platform wrote its files and logs (for the secrets-at-rest scan).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc

SERVICE_PORTS = {
    "gateway": 50051,
    "identity": 50061,
    "registry": 50062,
    "payment": 50063,
    "notify": 50064,
    "documents": 50065,
    "dossiers": 50066,
}
OPTIONS = (("grpc.so_reuseport", 0),)


@dataclass
class Target:
    name: str
    gateway: str
    services: dict[str, str]
    #: The demo agency (``agency_id``, ``client_id``, ``client_secret``) and the operator (``admin_*``).
    credentials: dict[str, str]
    #: Every file the platform wrote lives under here (embedded: the data folder; distributed: the work dir).
    files: Path
    logs: list[Path]
    mail_dir: Path
    #: Distributed only: the services' PostgreSQL databases (scanned by SQL instead of as files).
    database_urls: dict[str, str] = field(default_factory=dict)
    stop: Callable[[], None] = lambda: None

    @property
    def ports(self) -> dict[str, str]:
        """The gateway and each service: every door an attacker can knock on."""
        return {"gateway": self.gateway, **self.services}

    def channel(self, target: str | None = None) -> grpc.aio.Channel:
        return grpc.aio.insecure_channel(target or self.gateway, options=OPTIONS)

    async def token(self, client_id: str, secret: str, scopes: tuple[str, ...] = ()) -> str:
        async with self.channel() as channel:
            reply = await identity_pb2_grpc.IdentityServiceStub(channel).IssueToken(
                identity_pb2.IssueTokenRequest(
                    client_id=client_id, client_secret=secret, scopes=list(scopes)
                ),
                timeout=20,
            )
        return reply.access_token

    async def agency_token(self, *scopes: str) -> str:
        c = self.credentials
        return await self.token(c["client_id"], c["client_secret"], scopes)

    async def operator_token(self, *scopes: str) -> str:
        c = self.credentials
        return await self.token(c["admin_client_id"], c["admin_client_secret"], scopes)

    async def new_agency(self, scopes: list[str]) -> dict[str, str]:
        """A fresh province agency (created by the operator) whose first client holds ``scopes``."""
        operator = await self.operator_token("identity.agencies.admin")
        async with self.channel() as channel:
            created = await identity_pb2_grpc.IdentityServiceStub(channel).CreateAgency(
                identity_pb2.CreateAgencyRequest(
                    display_name=f"Sở thử nghiệm {uuid.uuid4().hex[:6]}",
                    kind=identity_pb2.AGENCY_KIND_PROVINCE,
                    province_code="79",
                    allowed_scopes=scopes,
                    initial_client_scopes=scopes,
                ),
                metadata=(("authorization", f"Bearer {operator}"),),
                timeout=20,
            )
        return {
            "agency_id": created.agency.id,
            "client_id": created.initial_client.client_id,
            "client_secret": created.initial_client_secret,
        }


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _offset() -> int:
    # every port lienthong dev opens, shifted together (the portal's 50070/8070 and the REST face's 8080 too)
    ports = [*SERVICE_PORTS.values(), 50070, 8051, 8061, 8062, 8063, 8064, 8065, 8066, 8070, 8080, 2525]
    for _ in range(100):
        offset = random.randrange(1000, 9000, 7)
        if all(_free(p + offset) for p in ports):
            return offset
    raise RuntimeError("no free block of loopback ports for lienthong dev")


def start_embedded(workdir: Path) -> Target:
    """``lienthong dev`` in its own process, until its banner says it serves."""
    data = workdir / "data"
    log = workdir / "dev.log"
    offset = _offset()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lienthong_cli",
                "dev",
                "--data-dir",
                str(data),
                "--port-offset",
                str(offset),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "LIENTHONG_LOG_LEVEL": "INFO"},
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while "Stop with Ctrl+C" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError("lienthong dev did not start:\n" + log.read_text(errors="replace")[-4000:])
        time.sleep(0.2)

    def stop() -> None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    return Target(
        name="embedded",
        gateway=f"127.0.0.1:{SERVICE_PORTS['gateway'] + offset}",
        services={n: f"127.0.0.1:{p + offset}" for n, p in SERVICE_PORTS.items() if n != "gateway"},
        credentials=json.loads((data / "demo-credentials.json").read_text()),
        files=data,
        logs=[log],
        mail_dir=data / "mail",
        stop=stop,
    )


def start_distributed(workdir: Path, pg_server: str, nats_url: str, redis_url: str) -> Target:
    """The compose topology as local processes (see tests/deploy/distributed.py)."""
    from tests.deploy.distributed import delete_streams, drop_databases, start_platform

    platform = start_platform(workdir, pg_server, nats_url, redis_url=redis_url)

    def stop() -> None:
        platform.stop()
        drop_databases(pg_server, platform.database_urls)
        delete_streams(platform.bus_url)

    try:
        credentials = platform.journey_credentials
    except BaseException:
        stop()
        raise
    return Target(
        name="distributed",
        gateway=platform.gateways[0],
        services=dict(platform.endpoints),
        credentials=credentials,
        files=workdir,
        logs=[p.log for p in platform.processes.values()],
        mail_dir=platform.mail_dir,
        database_urls=dict(platform.database_urls),
        stop=stop,
    )
