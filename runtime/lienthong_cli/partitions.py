"""``lienthong partitions <service>|all list|create|detach|archive``: the monthly partitions of the tables that
grow forever (access logs, audit trails, outboxes), on PostgreSQL.

- ``create --ahead N``: the current month's partition and N more (idempotent; run it monthly, e.g. a CronJob;
  ``lienthong migrate`` also creates 12 months ahead).
- ``detach --before YYYY-MM``: detach every month before that one (a month of an outbox only once every event
  in it is published; a month of the registry's access log records its chain anchor first).
- ``archive --to DIR``: every detached month to ``DIR/<partition>.copy`` (PostgreSQL ``COPY`` text format) with
  its SHA-256 (``.sha256``) and a manifest (``.json``), read back and checked, then dropped. ``--before
  YYYY-MM`` detaches first.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from pathlib import Path
from typing import Any

from lienthong_runtime.db import asyncpg_connect_args, is_sqlite
from lienthong_runtime.partitions import (
    PartitionRefused,
    TimePartitioned,
    archive_detached,
    create_ahead,
    detach_before,
    parse_month,
    partitions,
)

from .services import SERVICES

PARTITIONING = [name for name, entry in SERVICES.items() if entry.migrates]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("partitions", help="monthly partitions of logs and outboxes (PostgreSQL)")
    parser.add_argument("service", choices=[*PARTITIONING, "all"])
    parser.add_argument("--database-url", default=None, help="override the service's database URL")
    commands = parser.add_subparsers(dest="partitions_command", required=True)
    commands.add_parser("list", help="partitions, attached and detached")
    create = commands.add_parser("create", help="create this month's partition and the next ones")
    create.add_argument("--ahead", type=int, default=3, help="months after the current one (default 3)")
    detach = commands.add_parser("detach", help="detach every month before the given one")
    detach.add_argument("--before", required=True, type=parse_month, metavar="YYYY-MM")
    archive = commands.add_parser("archive", help="copy detached months to files, check them, drop them")
    archive.add_argument("--to", required=True, type=Path, dest="directory")
    archive.add_argument("--before", type=parse_month, metavar="YYYY-MM", help="detach these months first")
    parser.set_defaults(func=_run)


def specs(service: str) -> tuple[TimePartitioned, ...]:
    """The service's partitioned tables (``<package>.adapters.partitions.PARTITIONED``)."""
    module = importlib.import_module(f"{SERVICES[service].package}.adapters.partitions")
    return tuple(module.PARTITIONED)


async def run(service: str, url: str, args: argparse.Namespace) -> int:
    """One command on one service's database; prints what it did; 1 if a partition had to stay."""
    import asyncpg

    dsn, options = asyncpg_connect_args(url)
    conn = await asyncpg.connect(dsn, **options)
    status = 0
    try:
        for spec in specs(service):
            where = f"{service}: {spec.table}"
            try:
                if args.partitions_command == "list":
                    for part in await partitions(conn, spec):
                        print(f"{where}: {part.name} {'attached' if part.attached else 'DETACHED'}")
                elif args.partitions_command == "create":
                    created = await create_ahead(conn, spec, args.ahead)
                    print(f"{where}: created {', '.join(created) if created else 'nothing (all exist)'}")
                else:
                    if args.before is not None:
                        detached = await detach_before(conn, spec, args.before)
                        print(f"{where}: detached {', '.join(detached) if detached else 'nothing'}")
                    if args.partitions_command == "archive":
                        for manifest in await archive_detached(conn, spec, args.directory / service):
                            print(
                                f"{where}: archived {manifest['partition']} ({manifest['rows']} rows, "
                                f"sha256 {manifest['sha256']}) to {args.directory / service / manifest['file']}"
                            )
            except PartitionRefused as exc:
                print(f"{where}: kept: {exc}", file=sys.stderr)
                status = 1
    finally:
        await conn.close()
    return status


#: Months created ahead by every ``lienthong migrate`` (a deploy): a year of headroom without the monthly job.
AHEAD_ON_MIGRATE = 12


async def create_on_migrate(service: str, url: str, ahead: int = AHEAD_ON_MIGRATE) -> list[str]:
    """Create the service's partitions ``ahead`` months ahead (after its migrations); nothing on SQLite."""
    if is_sqlite(url):
        return []
    import asyncpg

    dsn, options = asyncpg_connect_args(url)
    conn = await asyncpg.connect(dsn, **options)
    try:
        return [name for spec in specs(service) for name in await create_ahead(conn, spec, ahead)]
    finally:
        await conn.close()


def _run(args: argparse.Namespace) -> int:
    if not hasattr(args, "before"):
        args.before = None
    names = PARTITIONING if args.service == "all" else [args.service]
    status = 0
    for name in names:
        url = args.database_url or SERVICES[name].bootstrap().load_settings().database_url
        if is_sqlite(url):
            print(f"{name}: SQLite keeps plain tables; nothing to do")
            continue
        status = max(status, asyncio.run(run(name, url, args)))
    return status
