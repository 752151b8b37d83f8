"""Operator commands: ``lienthong registry import FILE`` and ``lienthong registry verify-log``."""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from pathlib import Path

from lienthong_runtime.crypto import MissingKey
from lienthong_runtime.db import create_engine, session_factory

from .adapters.crypto import load_keys
from .adapters.uow import SqlRegistryUnitOfWork
from .bootstrap import load_settings
from .bulk_import import ImportReport, count_lines, file_kind, import_file
from .config import Settings
from .handlers.audit import verify_chain

SHOWN_ERRORS = 20


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = subparsers.add_parser("import", help="bulk-import citizen records from CSV or JSON lines")
    imp.add_argument("file", type=Path)
    imp.add_argument("--agency", required=True, help="agency id recorded as the author of version 1")
    imp.add_argument(
        "--legal-reason", required=True, help="legal basis of the migration (recorded per record)"
    )
    imp.add_argument("--database-url", default=None)
    imp.add_argument("--workers", type=int, default=None, help="worker processes (0 = none; default: CPUs)")
    imp.add_argument("--errors", type=Path, default=None, help="write every bad line to this CSV")
    imp.add_argument("--no-progress", action="store_true")
    imp.set_defaults(func=_import)
    verify = subparsers.add_parser("verify-log", help="recompute the access log's hash chain")
    verify.add_argument("--database-url", default=None)
    verify.add_argument("--from-sequence", type=int, default=0)
    verify.set_defaults(func=_verify)


async def verify_log(settings: Settings, url: str | None = None, from_sequence: int = 0) -> int:
    """Print the result of a chain check; exit status 1 when a link is broken."""
    engine = create_engine(url or settings.database_url)
    try:
        # Needs no keys: the chain holds blind indexes and ciphertexts, and the check reads only those.
        check = await verify_chain(SqlRegistryUnitOfWork(session_factory(engine), None), from_sequence)
    finally:
        await engine.dispose()
    if check.intact:
        print(f"access log intact: {check.checked} entries checked")
        return 0
    if check.first_broken:
        print(
            f"access log BROKEN: first broken link: sequence {check.first_broken} ({check.detail}); "
            f"{check.checked} entries checked"
        )
    if check.missing_writes:
        print(
            f"access log INCOMPLETE: {check.missing_writes} record version(s) have no WRITE entry; "
            f"{check.checked} entries checked"
        )
    return 1


def _verify(args: argparse.Namespace) -> int:
    return asyncio.run(verify_log(load_settings(), args.database_url, args.from_sequence))


def print_report(report: ImportReport, errors_file: Path | None) -> None:
    print(
        f"read {report.read} records in {report.seconds:.1f} s ({report.rate:,.0f}/s): {report.inserted} "
        f"imported, {report.skipped} already registered, {len({e[0] for e in report.errors})} lines refused"
    )
    for line, field, reason in report.errors[:SHOWN_ERRORS]:
        print(f"  line {line}: {field or '-'}: {reason}", file=sys.stderr)
    if len(report.errors) > SHOWN_ERRORS and errors_file is None:
        print(f"  ... {len(report.errors) - SHOWN_ERRORS} more (use --errors FILE)", file=sys.stderr)
    if errors_file is not None:
        with errors_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["line", "field", "reason"])
            writer.writerows(report.errors)


def _import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    total = count_lines(args.file) - (1 if file_kind(args.file) == "csv" else 0)
    settings = load_settings()
    try:  # records are sealed with the service's keys: the same ones the servers use
        load_keys(settings)
    except MissingKey as exc:
        print(f"registry import: {exc}", file=sys.stderr)
        return 2
    with tqdm(total=total, unit="rec", disable=args.no_progress, file=sys.stderr) as bar:
        report = asyncio.run(
            import_file(
                args.file,
                settings,
                agency_id=args.agency,
                legal_reason=args.legal_reason,
                url=args.database_url,
                workers=args.workers,
                progress=bar,
            )
        )
    print_report(report, args.errors)
    return 1 if report.errors else 0
