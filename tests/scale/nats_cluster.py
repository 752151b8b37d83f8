"""A three-node NATS JetStream cluster of the tests' own, from the deployed ``nats.conf``: cluster routes on free
ports, each node's store in a temp dir; a node can be killed (SIGKILL) and started again on the same port and
store. Never the shared NATS."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.events.support import NATS_SERVER, free_port
from tests.faults.infra import Daemon

DEPLOY_CONF = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "nats-cluster" / "nats.conf"


def node_config(client: int, route: int, monitor: int, routes: list[int], store: Path) -> str:
    """The production ``nats.conf`` (``deploy/k8s/nats-cluster``), moved onto loopback ports and a temp store:
    the drill runs the configuration that is deployed, not a look-alike."""
    text = DEPLOY_CONF.read_text()
    swaps = {
        "listen: 0.0.0.0:4222": f"listen: 127.0.0.1:{client}",
        "http: 0.0.0.0:8222": f"http: 127.0.0.1:{monitor}",
        "listen: 0.0.0.0:6222": f"listen: 127.0.0.1:{route}",
        "store_dir: /data": f'store_dir: "{store}"',
        "max_file_store: 45G": "max_file_store: 1G",
    }
    swaps |= {
        f"nats-route://nats-{n}.nats-headless:6222": f"nats-route://127.0.0.1:{p}"
        for n, p in enumerate(routes)
    }
    for old, new in swaps.items():
        if old not in text:
            raise AssertionError(f"deploy/k8s/nats-cluster/nats.conf no longer has {old!r}")
        text = text.replace(old, new)
    return text


class NatsCluster:
    def __init__(self, root: Path, size: int = 3) -> None:
        clients = [free_port() for _ in range(size)]
        routes = [free_port() for _ in range(size)]
        self.nodes: list[Daemon] = []
        for n in range(size):
            name = f"nats-{n}"  # as the StatefulSet names its pods ($POD_NAME in the configuration)
            config = root / f"{name}.conf"
            config.write_text(node_config(clients[n], routes[n], free_port(), routes, root / name))
            command = [NATS_SERVER, "-c", str(config)]
            env = {**os.environ, "POD_NAME": name}
            self.nodes.append(Daemon(name, command, clients[n], root / f"{name}.log", env=env))

    @property
    def servers(self) -> str:
        return ",".join(f"nats://127.0.0.1:{node.port}" for node in self.nodes)

    def node(self, name: str) -> Daemon:
        return next(node for node in self.nodes if node.name == name)


@contextlib.contextmanager
def nats_cluster() -> Iterator[NatsCluster]:
    root = Path(tempfile.mkdtemp(prefix="lt-nats-cluster-"))
    cluster = NatsCluster(root)
    try:
        for node in cluster.nodes:
            node.start()
        yield cluster
    finally:
        for node in cluster.nodes:
            node.kill()  # throwaway: no 30 s lame duck
        shutil.rmtree(root, ignore_errors=True)
