"""``lienthong`` command line.

lienthong dev                      every service and the gateway on the embedded default
lienthong serve <service>          one service (settings from LIENTHONG_<SERVICE>_* variables)
lienthong migrate <service>|all    apply a service's database migrations
lienthong edge render|agent         the HAProxy front door's configuration and its sidecar agent
lienthong partitions <service>|all  monthly partitions of logs and outboxes: list, create, detach, archive
lienthong <service> <command> ...  a service's own operator commands (e.g. identity bootstrap)
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys

from lienthong_runtime import migrations
from lienthong_runtime.logs import configure_logging

from .services import SERVICES


def _serve(args: argparse.Namespace) -> int:
    entry = SERVICES[args.service]
    module = entry.bootstrap()
    settings = module.load_settings()
    configure_logging(settings.log_level)

    async def build_and_serve() -> int:
        from lienthong_runtime.server import serve_all

        if settings.migrate_on_start and entry.migrates:
            await migrations.upgrade_async(entry.package, settings.database_url, entry.name)
        app = await module.build(settings)
        return await serve_all([app])

    try:
        import uvloop

        return uvloop.run(build_and_serve())
    except ImportError:
        return asyncio.run(build_and_serve())


def _migrate(args: argparse.Namespace) -> int:
    names = [n for n, e in SERVICES.items() if e.migrates] if args.service == "all" else [args.service]
    configure_logging("INFO")
    for name in names:
        entry = SERVICES[name]
        if not entry.migrates:
            print(f"{name}: nothing to migrate")
            continue
        settings = entry.bootstrap().load_settings()
        url = args.database_url or settings.database_url
        migrations.upgrade(entry.package, url, entry.name, args.revision)
        print(f"{name}: migrated to {args.revision}")
        if args.revision == "head":
            from .partitions import create_on_migrate

            created = asyncio.run(create_on_migrate(name, url))
            if created:
                print(f"{name}: created partitions {', '.join(created)}")
    return 0


def _dev(args: argparse.Namespace) -> int:
    from .dev import run_dev

    return run_dev(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lienthong", description="Liên Thông shared e-government platform")
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="run every service and the gateway on the embedded default")
    dev.add_argument(
        "--data-dir",
        default=None,
        help="folder for SQLite files (default: $LIENTHONG_DATA_DIR or .lienthong)",
    )
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port-offset", type=int, default=0, help="add this to every default port")
    dev.add_argument("--reset", action="store_true", help="delete the data folder first")
    dev.set_defaults(func=_dev)

    serve = sub.add_parser("serve", help="run one service")
    serve.add_argument("service", choices=sorted(SERVICES))
    serve.set_defaults(func=_serve)

    migrate = sub.add_parser("migrate", help="apply a service's migrations")
    migrate.add_argument("service", choices=[*sorted(n for n, e in SERVICES.items() if e.migrates), "all"])
    migrate.add_argument("--revision", default="head")
    migrate.add_argument("--database-url", default=None, help="override the service's database URL")
    migrate.set_defaults(func=_migrate)

    from . import events as events_cli
    from . import partitions as partitions_cli

    events_cli.register(sub)
    partitions_cli.register(sub)
    importlib.import_module("lienthong_edge.cli").register(sub)  # by name: the command imports no front door

    for name, entry in SERVICES.items():
        cli = entry.cli()
        if cli is not None and hasattr(cli, "register"):
            service_parser = sub.add_parser(name, help=f"{name} operator commands")
            cli.register(service_parser.add_subparsers(dest="subcommand", required=True))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
