"""The operator's bulk import (``lienthong registry import``) of a province's existing records (CSV or JSON
lines): parse, validate and seal in a process pool, write in batches, skip IDs already registered (a re-run is
harmless), report each bad line. A command of its own beside the composition root (it loads the keys and opens
its bulk writer), not a handler: it writes rows straight into the tables, outside any unit of work."""

from __future__ import annotations

import asyncio
import csv
import itertools
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from lienthong_runtime.db import create_engine, is_sqlite

from .adapters.access_log_store import BULK_IMPORT_ACTOR
from .adapters.bulk_store import GenericBulkWriter, PostgresBulkWriter
from .adapters.crypto import load_keys
from .adapters.import_rows import COLUMNS, ImportJob, prepare
from .config import Settings
from .domain.dates import to_us
from .handlers.context import VIETNAM, check_legal_text, utc_now

LineError = tuple[int, str, str]


@dataclass
class ImportReport:
    """Counts of one run; ``errors`` are ``(line, field, reason)``."""

    read: int = 0
    inserted: int = 0
    skipped: int = 0
    errors: list[LineError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


def file_kind(path: Path) -> str:
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def _lines(path: Path, kind: str) -> tuple[list[str], Iterator[tuple[int, Any]]]:
    handle = path.open(encoding="utf-8-sig", newline="")
    if kind == "csv":
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])] or list(COLUMNS)
        return header, ((reader.line_num, row) for row in reader if row)
    return [], ((n, line) for n, line in enumerate(handle, 1) if line.strip())


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


async def _writer(settings: Settings, url: str | None) -> Any:
    url = url or settings.database_url
    if is_sqlite(url):
        return GenericBulkWriter(create_engine(url))
    return await PostgresBulkWriter.connect(url)


async def import_file(
    path: Path,
    settings: Settings,
    *,
    agency_id: str,
    legal_reason: str,
    url: str | None = None,
    workers: int | None = None,
    chunk: int = 2000,
    progress: Any = None,
    time_limit_s: float | None = None,
) -> ImportReport:
    """Import ``path``; ``progress`` is a tqdm-like object updated with records read. With ``time_limit_s``,
    stop reading new lines once it has passed (benchmarks); ``read`` says how far it got."""
    keyring, index = load_keys(settings)
    now = utc_now()
    job = ImportJob(
        keyring,
        index,
        agency_id,
        BULK_IMPORT_ACTOR,
        check_legal_text(legal_reason, "legal_reason"),
        to_us(now),
        now.astimezone(VIETNAM).date(),
    )
    kind = file_kind(path)
    header, lines = _lines(path, kind)
    workers = os.cpu_count() or 1 if workers is None else workers
    # fork: workers start at once and only run ``prepare`` (pure CPU, no event loop, no connections).
    method = "fork" if sys.platform == "linux" else "spawn"
    pool = ProcessPoolExecutor(workers, mp_context=get_context(method)) if workers > 0 else None
    writer = await _writer(settings, url)
    report, seen, started = ImportReport(), set(), time.perf_counter()
    loop = asyncio.get_running_loop()
    pending: deque[asyncio.Future[Any]] = deque()

    async def drain() -> None:
        rows, errors = await pending.popleft()
        report.errors.extend(errors)
        fresh = []
        for number, pid_index, *rest in rows:
            if pid_index in seen:
                report.errors.append((number, "personal_id", "duplicate of an earlier line of this file"))
            else:
                seen.add(pid_index)
                fresh.append((pid_index, *rest))
        inserted = await writer.write(fresh) if fresh else 0
        report.inserted += inserted
        report.skipped += len(fresh) - inserted
        if progress is not None:
            progress.update(len(rows) + len({e[0] for e in errors}))

    try:
        while batch := list(itertools.islice(lines, chunk)):
            if time_limit_s is not None and time.perf_counter() - started > time_limit_s:
                break
            report.read += len(batch)
            if pool is None:
                pending.append(asyncio.ensure_future(asyncio.sleep(0, prepare(job, kind, header, batch))))
            else:
                pending.append(loop.run_in_executor(pool, prepare, job, kind, header, batch))
            if len(pending) > 2 * max(workers, 1):
                await drain()
        while pending:
            await drain()
    finally:
        await writer.close()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    report.errors.sort()
    report.seconds = time.perf_counter() - started
    return report
