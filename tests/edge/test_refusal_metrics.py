"""The engine's refusals reach the operators' dashboard: HAProxy's exporter counts them by ErrorInfo reason (one
backend per reason answers them), and Prometheus' recording rule (``rules.yml``, group ``lienthong.edge``) turns
those counts into ``lienthong_front_door_refusals_total{reason}``, the Python gateway's metric that the
"Front door refusals by reason" panels read."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import grpc
import yaml

from lienthong_edge.process import engine
from lienthong_gateway.bootstrap import load_settings
from lienthong_runtime.testing import TokenMint
from tests.frontdoor.conftest import EchoUpstream
from tests.observability.support import RULES, dashboard_exprs, promtool, scrape

GET_CITIZEN = "/lienthong.registry.v1.RegistryService/GetCitizen"
READ = "registry.citizens.read"
METRIC = "lienthong_front_door_refusals_total"


def _refusal_counts(exposition: str) -> dict[str, int]:
    """reason -> calls answered by the engine's refusal backend of that reason (non-zero ones)."""
    found = re.findall(
        r'^haproxy_backend_http_requests_total\{proxy="refusal_([A-Z_]+)"\} (\d+)',
        exposition,
        flags=re.MULTILINE,
    )
    return {reason: int(count) for reason, count in found if int(count)}


async def _calls(target: str, mint: TokenMint) -> dict[str, int]:
    """Refused calls of several reasons, an admitted call and an unknown method; returns the refusals made."""
    cases = [
        (None, "TOKEN_MISSING"),
        (None, "TOKEN_MISSING"),
        ("Bearer not-a-jwt", "TOKEN_MALFORMED"),
        (f"Bearer {mint.token([READ], ttl=-120)}", "TOKEN_EXPIRED"),
        (f"Bearer {mint.token(['registry.citizens.write'])}", "SCOPE_MISSING"),
    ]
    made: dict[str, int] = {}
    async with grpc.aio.insecure_channel(target, options=[("grpc.so_reuseport", 0)]) as channel:
        call = channel.unary_unary(GET_CITIZEN)
        for authorization, reason in cases:
            metadata = (("authorization", authorization),) if authorization else ()
            try:
                await call(b"x", metadata=metadata, timeout=5)
                raise AssertionError(f"{reason}: the call was admitted")
            except grpc.aio.AioRpcError as error:
                assert error.code() != grpc.StatusCode.OK and error.code() != grpc.StatusCode.UNAVAILABLE, (
                    error
                )
            made[reason] = made.get(reason, 0) + 1
        admitted = await call(b"x", metadata=(("authorization", f"Bearer {mint.token([READ])}"),), timeout=5)
        assert admitted == b"ok:x"
        try:  # an unknown method is grpc's UNIMPLEMENTED, not a refusal (the gateway does not count it either)
            await channel.unary_unary("/lienthong.registry.v1.RegistryService/NoSuchMethod")(b"x", timeout=5)
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.UNIMPLEMENTED
    return made


def _promtool_test(folder: Path, counts: dict[str, int]) -> subprocess.CompletedProcess[str]:
    """Prometheus evaluates the committed recording rule over the engine's scraped counts (promtool test rules):
    the panel's ``sum by (reason)`` must give each reason's count."""
    (folder / "rules.yml").write_text(RULES.read_text())
    series = [
        {
            "series": f'haproxy_backend_http_requests_total{{job="lienthong",instance="edge-0:8405",'
            f'proxy="refusal_{reason}"}}',
            "values": " ".join([str(count)] * 5),
        }
        for reason, count in sorted(counts.items())
    ]
    upstream = (
        'haproxy_backend_http_requests_total{job="lienthong",instance="edge-0:8405",proxy="be_registry"}'
    )
    series.append({"series": upstream, "values": "7 7 7 7 7"})  # an upstream backend is not a refusal
    test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "promql_expr_test": [
                    {
                        "expr": f"sum by (reason) ({METRIC})",
                        "eval_time": "3m",
                        "exp_samples": [
                            {"labels": f'{{reason="{reason}"}}', "value": count}
                            for reason, count in sorted(counts.items())
                        ],
                    }
                ],
            }
        ],
    }
    (folder / "test.yml").write_text(yaml.safe_dump(test))
    return subprocess.run(
        [promtool(), "test", "rules", "test.yml"], cwd=folder, capture_output=True, text=True, check=False
    )


async def test_the_engine_s_refusals_reach_the_front_door_refusals_metric(tmp_path: Path) -> None:
    panels = [expr for _, title, expr in dashboard_exprs() if title == "Front door refusals by reason"]
    assert panels and all(METRIC in expr for expr in panels)  # the panel this test feeds
    upstream = await EchoUpstream().start()
    mint = TokenMint()
    settings = load_settings(
        upstreams=upstream.upstreams, token_issuer=mint.issuer, token_audience=mint.audience
    )
    try:
        with engine(settings, jwks=mint.jwks()) as running:
            made = await _calls(running.target, mint)
            url = f"http://127.0.0.1:{running.edge.metrics_port}/metrics"
            counts = _refusal_counts(await asyncio.to_thread(scrape, url))
    finally:
        await upstream.stop()
    assert (
        counts == made == {"TOKEN_MISSING": 2, "TOKEN_MALFORMED": 1, "TOKEN_EXPIRED": 1, "SCOPE_MISSING": 1}
    )
    result = _promtool_test(tmp_path, counts)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
