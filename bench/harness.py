"""Building blocks for scenarios: server subprocesses, CPU accounting, results and the report table."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sys
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

import grpc

from bench.load import LoadResult, Metadata, run_load

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
_CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far, from /proc/<pid>/stat (no psutil needed)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces and parentheses
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # utime, stime: fields 14 and 15 of stat(5)


class ServerProcess:
    """A server running as a subprocess; `port` is what it printed in its READY line (if it printed one)."""

    def __init__(self, name: str, proc: asyncio.subprocess.Process, port: int | None) -> None:
        self.name, self.proc, self.port = name, proc, port
        self._drain: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    async def stop(self, grace_s: float = 5.0) -> int | None:
        """SIGTERM, then SIGKILL after `grace_s`; returns the exit code."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout=grace_s)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                await self.proc.wait()
        if self._drain is not None:
            self._drain.cancel()
        return self.proc.returncode

    async def __aenter__(self) -> ServerProcess:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def start_server(
    args: Sequence[str],
    *,
    name: str | None = None,
    ready: str = r"READY (\d+)",
    timeout_s: float = 30.0,
    env: Mapping[str, str] | None = None,
    python: bool = True,
) -> ServerProcess:
    """Start `python <args>` (or `<args>` with python=False) and wait for a stdout line matching `ready`.

    The first group of `ready`, if any, is taken as the port. The rest of stdout is drained in the background
    so a chatty server never blocks on a full pipe; stderr is inherited so errors show in the bench output.
    """
    cmd = [sys.executable, *args] if python else list(args)
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), full_env.get("PYTHONPATH")]))
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.PIPE, env=full_env, cwd=str(REPO_ROOT)
    )
    server = ServerProcess(name or " ".join(args[:2]), proc, None)
    pattern = re.compile(ready)
    assert proc.stdout is not None
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                line = await proc.stdout.readline()
                if not line:
                    raise RuntimeError(
                        f"{server.name} exited ({await proc.wait()}) before printing {ready!r}"
                    )
                match = pattern.search(line.decode(errors="replace"))
                if match:
                    server.port = int(match.group(1)) if match.groups() else None
                    break
    except BaseException:
        await server.stop(grace_s=1.0)
        raise
    server._drain = asyncio.create_task(_drain(proc.stdout))
    return server


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.read(65536):
        pass


async def wait_for_health(target: str, service: str = "", timeout_s: float = 30.0) -> None:
    """Poll grpc.health.v1.Health/Check (raw bytes, no generated stubs) until it answers SERVING."""
    request = (b"\x0a" + bytes([len(service)]) + service.encode()) if service else b""
    deadline = asyncio.get_running_loop().time() + timeout_s
    last: object = None
    async with grpc.aio.insecure_channel(target, options=[("grpc.so_reuseport", 0)]) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        while asyncio.get_running_loop().time() < deadline:
            try:
                if await check(request, timeout=2.0) == b"\x08\x01":  # status: SERVING
                    return
                last = "not SERVING"
            except grpc.aio.AioRpcError as exc:
                last = exc.code().name
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{target} not SERVING after {timeout_s}s (last: {last})")


@dataclass
class Result:
    """One report row. `rps` is divided by the echo baseline's; `metrics` holds anything else to print."""

    name: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    calls: int = 0
    errors: int = 0
    cpu_us_per_call: float | None = None  # CPU of the measured server process(es), per call
    backend: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # set when the scenario failed

    @classmethod
    def from_load(cls, name: str, load: LoadResult, cpu_s: Mapping[str, float] | None = None) -> Result:
        result = cls(name, load.rps, load.p50_ms, load.p99_ms, load.calls, load.errors, backend=load.backend)
        result.notes += load.notes
        if load.error_sample:
            result.notes.append(f"sample error: {load.error_sample}")
        if load.calls:
            result.metrics["loadgen_cpu_us_per_call"] = load.loadgen_cpu_s * 1e6 / load.calls
            if cpu_s:
                result.cpu_us_per_call = sum(cpu_s.values()) * 1e6 / load.calls
                if len(cpu_s) > 1:
                    for proc_name, seconds in cpu_s.items():
                        result.metrics[f"cpu_us_per_call[{proc_name}]"] = seconds * 1e6 / load.calls
        return result


class Report:
    """Collects results; prints them as a table of ratios to the baseline and writes JSON."""

    def __init__(self, baseline: Result | None = None) -> None:
        self.baseline = baseline
        self.results: list[Result] = []

    def add(self, result: Result) -> None:
        self.results.append(result)

    def ratio(self, result: Result) -> float | None:
        if result.rps is None or not self.baseline or not self.baseline.rps:
            return None
        return result.rps / self.baseline.rps

    def print(self, out: TextIO = sys.stdout) -> None:
        rows = [self.baseline, *self.results] if self.baseline else list(self.results)
        header = (
            f"{'scenario':<34} {'req/s':>9} {'x echo':>7} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/call':>11} "
        )
        header += f"{'calls':>8} {'errors':>6}  backend / notes"
        print(header, file=out)
        print("-" * len(header), file=out)
        for r in rows:
            if r is None:
                continue
            if r.error:
                print(f"{r.name:<34} FAILED: {r.error}", file=out)
                continue
            ratio = self.ratio(r)
            extras = [r.backend] if r.backend else []
            extras += [f"{k}={v:,.1f}" for k, v in r.metrics.items()] + r.notes
            print(
                f"{r.name:<34} {_fmt(r.rps, '9,.0f')} {_fmt(ratio, '7.2f')} {_fmt(r.p50_ms, '8.2f')} "
                f"{_fmt(r.p99_ms, '8.2f')} {_fmt(r.cpu_us_per_call, '11,.0f')} {r.calls:>8,} {r.errors:>6,}  "
                + "; ".join(extras),
                file=out,
            )

    def to_json(self) -> dict[str, Any]:
        def row(r: Result) -> dict[str, Any]:
            return {**asdict(r), "ratio_to_echo": self.ratio(r)}

        return {
            "baseline": row(self.baseline) if self.baseline else None,
            "results": [row(r) for r in self.results],
        }

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")


def _fmt(value: float | None, spec: str) -> str:
    width = int(re.match(r"\d*", spec.lstrip(",")).group() or 0)  # type: ignore[union-attr]
    return f"{'-':>{width}}" if value is None else format(value, spec)


Cleanup = Callable[[], Awaitable[object]]


@dataclass
class BenchContext:
    """What a scenario's `run(ctx)` receives. See bench/README.md for the contract."""

    baseline: Result
    duration_s: float
    concurrency: int
    backend: str
    tmp_dir: Path
    pg_url: str = field(default_factory=lambda: os.environ.get("LIENTHONG_BENCH_PG_URL", DEFAULT_PG_URL))
    echo_request: bytes = b"x" * 32
    warmup_s: float = 1.0
    _cleanups: list[Cleanup] = field(default_factory=list)

    async def run_load(
        self, target: str, method: str, request_bytes: bytes, *, metadata: Metadata = (), **overrides: Any
    ) -> LoadResult:
        """`bench.load.run_load` with this run's concurrency, duration and backend as defaults."""
        kwargs: dict[str, Any] = {
            "concurrency": self.concurrency,
            "duration_s": self.duration_s,
            "backend": self.backend,
        }
        kwargs.update(overrides)
        return await run_load(target, method, request_bytes, metadata=metadata, **kwargs)

    async def measure(
        self,
        name: str,
        target: str,
        method: str,
        request_bytes: bytes,
        *,
        servers: Sequence[ServerProcess] | Mapping[str, int] = (),
        metadata: Metadata = (),
        **overrides: Any,
    ) -> Result:
        """Run load and account the CPU the given server processes used during it, as one report row."""
        pids = dict(servers) if isinstance(servers, Mapping) else {s.name: s.pid for s in servers}
        # Warm up in a separate run so the CPU window below covers exactly the measured calls.
        warm = {**overrides, "duration_s": self.warmup_s, "count": None, "warmup_s": 0.0}
        await self.run_load(target, method, request_bytes, metadata=metadata, **warm)
        before = {n: cpu_seconds(pid) for n, pid in pids.items()}
        load = await self.run_load(
            target, method, request_bytes, metadata=metadata, warmup_s=0.0, **overrides
        )
        cpu = {n: cpu_seconds(pid) - before[n] for n, pid in pids.items()}
        return Result.from_load(name, load, cpu)

    async def start_server(self, args: Sequence[str], **kwargs: Any) -> ServerProcess:
        """`bench.harness.start_server`, stopped automatically when the run ends."""
        server = await start_server(args, **kwargs)
        self.add_cleanup(server.stop)
        return server

    def add_cleanup(self, cleanup: Cleanup) -> None:
        self._cleanups.append(cleanup)

    async def create_scratch_database(self, prefix: str = "bench") -> str:
        """Create an empty PostgreSQL database on `pg_url`'s server; returns its postgresql:// URL.

        Dropped (WITH FORCE) when the run ends. Use `url.replace("postgresql://", "postgresql+asyncpg://", 1)`
        for SQLAlchemy's async engine.
        """
        import asyncpg  # imported here: only scenarios that need PostgreSQL pay for it

        name = f"{re.sub(r'[^a-z0-9_]', '_', prefix.lower())}_{uuid.uuid4().hex[:10]}"
        admin_url = self.pg_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

        async def drop() -> None:
            conn = await asyncpg.connect(admin_url)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        self.add_cleanup(drop)
        return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))

    async def close(self) -> None:
        """Run cleanups in reverse order; a failing cleanup is reported, never raised."""
        while self._cleanups:
            cleanup = self._cleanups.pop()
            try:
                await cleanup()
            except Exception as exc:
                print(f"bench: cleanup failed: {exc!r}", file=sys.stderr)
