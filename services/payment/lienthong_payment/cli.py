"""Operator commands: ``lienthong payment check-ledger``, ``reconcile`` and ``resolve-stuck``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import TYPE_CHECKING

import asyncpg
from sqlalchemy.exc import DBAPIError

from lienthong_runtime.db import create_engine, session_factory

if TYPE_CHECKING:
    from .handlers.ports import PaymentUnitOfWork


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser(
        "check-ledger", help="check the ledger invariants of every agency (exit 1 if broken)"
    )
    check.add_argument("--database-url", default=None, help="override LIENTHONG_PAYMENT_DATABASE_URL")
    check.set_defaults(func=_check_ledger)
    report = subparsers.add_parser("reconcile", help="print an agency's daily reconciliation report as CSV")
    report.add_argument("agency_id")
    report.add_argument("date", type=date.fromisoformat, help="business day, YYYY-MM-DD (Asia/Ho_Chi_Minh)")
    report.add_argument("--database-url", default=None)
    report.set_defaults(func=_reconcile)
    stuck = subparsers.add_parser(
        "resolve-stuck",
        help="ask the providers about payments left STARTED/SUBMITTED (lost notifications) and apply the outcomes",
    )
    stuck.add_argument(
        "--older-than",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="only payments unfinished at their provider for longer than this (default 60)",
    )
    stuck.add_argument("--limit", type=int, default=1000, help="at most this many payments (default 1000)")
    stuck.set_defaults(func=_resolve_stuck)


def _url(args: argparse.Namespace) -> str:
    from .bootstrap import load_settings

    return str(args.database_url or load_settings().database_url)


@asynccontextmanager
async def _reports_uow(url: str) -> AsyncIterator[PaymentUnitOfWork]:
    """A unit of work on ``url`` for the reports (they read no personal data: no keys needed)."""
    from .adapters.uow import SqlPaymentUnitOfWork

    engine = create_engine(url)
    try:
        yield SqlPaymentUnitOfWork(session_factory(engine), None)
    finally:
        await engine.dispose()


async def check_ledger(url: str) -> dict[str, object]:
    """The check as a JSON-ready dict (``ok``, counts, violations)."""
    from .handlers.reports import check_ledger as run_check

    async with _reports_uow(url) as uow:
        check = await run_check(uow)
    return {
        "ok": check.ok,
        "agencies_checked": check.agencies_checked,
        "transactions_checked": check.transactions_checked,
        "violations": [v.__dict__ for v in check.violations],
    }


def _not_migrated() -> int:
    print(
        "the payment database has no payment tables: run `lienthong migrate payment` first", file=sys.stderr
    )
    return 2


def _check_ledger(args: argparse.Namespace) -> int:
    try:
        result = asyncio.run(check_ledger(_url(args)))
    except DBAPIError:
        return _not_migrated()
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if result["ok"] else 1


def _reconcile(args: argparse.Namespace) -> int:
    from .handlers.reports import reconciliation_report

    async def run() -> bytes:
        async with _reports_uow(_url(args)) as uow:
            report = await reconciliation_report(uow, args.agency_id, args.date)
        return report.csv_bytes()

    try:
        sys.stdout.buffer.write(asyncio.run(run()))
    except DBAPIError:
        return _not_migrated()
    return 0


async def resolve_stuck(older_than: float, limit: int) -> dict[str, int]:
    """One resolver pass with the service's own settings (providers, keys, database); counts as a dict."""
    from datetime import timedelta

    from .bootstrap import assemble, load_settings
    from .handlers.resolve import resolve_stuck as run_pass

    assembly = await assemble(load_settings())
    try:
        done = await run_pass(
            assembly.uow(),
            assembly.services,
            assembly.intake,
            timedelta(seconds=older_than),
            limit=limit,
        )
    finally:
        for hook in assembly.app.on_stop:
            await hook()
    return dict(done.__dict__)


def _resolve_stuck(args: argparse.Namespace) -> int:
    if args.older_than < 0 or args.limit < 1:
        print("--older-than must not be negative and --limit must be positive", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(resolve_stuck(args.older_than, args.limit))
    except (DBAPIError, asyncpg.UndefinedTableError):
        return _not_migrated()
    print(json.dumps(result, indent=2))
    return 0
