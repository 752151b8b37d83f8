"""The PostgreSQL connection budget of a deployment, from the services' settings (issue #18).

Each process opens at most a fixed number of connections, set by its settings (``connections_per_replica``);
replicas multiply it. Without a pooler PostgreSQL's ``max_connections`` must hold the sum; with PgBouncer in
transaction mode the services' connections end at PgBouncer and PostgreSQL sees at most ``default_pool_size``
per database and PgBouncer instance.

    python -m tools.capacity.budget registry=20 payment=10 identity=6 notify=4 documents=4 dossiers=4 \
        [--pgbouncer-pool 40 --pgbouncers 2]

reads the settings from the environment (``LIENTHONG_<SERVICE>_*``), as the services do.
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass
from typing import Any

from lienthong_runtime.db import DEFAULT_MAX_OVERFLOW, DEFAULT_POOL_SIZE

SERVICES = ("identity", "registry", "payment", "notify", "documents", "dossiers")
#: Connections PostgreSQL keeps for superusers, migrations and operators beside the services.
RESERVED = 10


def load(service: str) -> Any:
    return importlib.import_module(f"lienthong_{service}.bootstrap").load_settings()


def connections_per_replica(service: str, settings: Any) -> dict[str, int]:
    """The most connections one process of ``service`` opens, per server ("primary"; "standby" is per standby)."""
    if service == "registry":
        from lienthong_registry.bootstrap import database_connections

        return database_connections(settings)
    if service == "payment":
        from lienthong_payment.bootstrap import pool_split

        return {"primary": sum(pool_split(settings.database_pool_size))}
    # identity, notify, documents and dossiers: one engine with the runtime's default pool
    return {"primary": DEFAULT_POOL_SIZE + DEFAULT_MAX_OVERFLOW}


@dataclass(frozen=True)
class Line:
    service: str
    replicas: int
    per_replica: int
    clients: int
    #: What PostgreSQL (the primary) sees from this service.
    server: int
    #: Per standby (registry with read replicas), else 0.
    standby: int


def budget(
    replicas: dict[str, int],
    settings: dict[str, Any],
    *,
    pgbouncer_pool: int | None = None,
    pgbouncers: int = 1,
) -> tuple[list[Line], int]:
    """One line per service and the ``max_connections`` the primary needs (services + :data:`RESERVED`)."""
    lines = []
    for service, count in replicas.items():
        per = connections_per_replica(service, settings[service])
        clients = per["primary"] * count
        server = clients if pgbouncer_pool is None else min(clients, pgbouncer_pool * pgbouncers)
        lines.append(Line(service, count, per["primary"], clients, server, per.get("standby", 0) * count))
    return lines, sum(line.server for line in lines) + RESERVED


def render(lines: list[Line], max_connections: int, pgbouncers: int | None = None) -> str:
    out = [
        "| service | replicas | per replica | client connections | PostgreSQL connections | each standby |"
    ]
    out.append("|---|---:|---:|---:|---:|---:|")
    for line in lines:
        out.append(
            f"| {line.service} | {line.replicas} | {line.per_replica} | {line.clients} | {line.server} "
            f"| {line.standby} |"
        )
    out.append(f"\nPrimary `max_connections` at least {max_connections} (services + {RESERVED} reserved).")
    if pgbouncers:
        clients = sum(line.clients for line in lines)
        out.append(f"PgBouncer `max_client_conn` at least {-(-clients // pgbouncers)} per instance.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("replicas", nargs="+", help="SERVICE=REPLICAS")
    parser.add_argument("--pgbouncer-pool", type=int, help="PgBouncer default_pool_size (transaction mode)")
    parser.add_argument("--pgbouncers", type=int, default=1, help="PgBouncer instances")
    args = parser.parse_args(argv)
    replicas = {}
    for item in args.replicas:
        name, _, count = item.partition("=")
        if name not in SERVICES or not count.isdigit():
            parser.error(f"expected SERVICE=REPLICAS with SERVICE one of {', '.join(SERVICES)}: {item!r}")
        replicas[name] = int(count)
    lines, total = budget(
        replicas,
        {s: load(s) for s in replicas},
        pgbouncer_pool=args.pgbouncer_pool,
        pgbouncers=args.pgbouncers,
    )
    print(render(lines, total, args.pgbouncers if args.pgbouncer_pool else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
