"""The benchmark harness measures what it claims: real calls, no errors, sane latencies, byte-exact frames."""

from __future__ import annotations

import asyncio
import struct

import pytest

from bench.echo import ECHO_METHOD
from bench.harness import Report, Result, cpu_seconds, start_server, wait_for_health
from bench.load import grpc_frame, percentile, run_load
from bench.load_h2load import parse_h2load_output


def test_grpc_frame_is_flag_zero_then_big_endian_length() -> None:
    message = bytes(range(256)) * 3  # 768 bytes: length needs two bytes, so byte order matters
    frame = grpc_frame(message)
    assert frame[:5] == b"\x00\x00\x00\x03\x00"
    assert struct.unpack(">BI", frame[:5]) == (0, len(message))
    assert frame[5:] == message
    assert grpc_frame(b"") == b"\x00\x00\x00\x00\x00"


def test_h2load_output_parsing() -> None:
    text = (
        "finished in 2.50s, 5154.00 req/s, 470.00KB/s\n"
        "requests: 10308 total, 10324 started, 10308 done, 10300 succeeded, 8 failed, 0 errored, 0 timeout\n"
        "status codes: 10300 2xx, 0 3xx, 0 4xx, 0 5xx\n"
        "traffic: 998.50KB (1022461) total, 32.06KB (32832) headers (space savings 96.29%), "
        "394.53KB (404003) data\n"
    )
    figures = parse_h2load_output(text)
    assert figures["rps"] == 5154.0 and figures["done"] == 10308 and figures["failed"] == 8
    assert figures["data_bytes"] == 404003


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0 and percentile(values, 99) == 99.0 and percentile([], 50) == 0.0


@pytest.mark.timeout(60)
async def test_grpc_backend_drives_echo_server() -> None:
    server = await start_server(["-m", "bench.echo", "--port", "0"], name="echo", timeout_s=20)
    try:
        await wait_for_health(server.target, timeout_s=10)
        cpu_before = cpu_seconds(server.pid)
        result = await asyncio.wait_for(
            run_load(server.target, ECHO_METHOD, b"x" * 32, concurrency=4, duration_s=1.0, backend="grpc",
                     processes=1, warmup_s=0.2),
            timeout=30,
        )  # fmt: skip
        assert cpu_seconds(server.pid) > cpu_before
    finally:
        assert await server.stop() is not None
    assert result.backend.startswith("grpc")
    assert result.calls > 0
    assert result.errors == 0, result.error_sample
    assert result.p99_ms >= result.p50_ms > 0
    report = Report(Result.from_load("echo", result))
    report.add(Result("broken", error="boom"))
    assert report.to_json()["results"][0]["error"] == "boom"
