"""``lienthong edge render``: the configuration follows the contract (every RPC, its rule), HAProxy accepts it in
every shape the settings allow, and the engine it describes routes, audits and exports metrics."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import grpc
import pytest
from aiohttp import web

from lienthong_edge.config import EdgeSettings
from lienthong_edge.process import engine, free_port, haproxy_binary
from lienthong_edge.render import render, write
from lienthong_edge.state import StateFolder
from lienthong_gateway.bootstrap import load_settings
from lienthong_gateway.routing import contract_routes
from lienthong_runtime.contract import contract_methods
from lienthong_runtime.testing import TokenMint
from tests.frontdoor.conftest import EchoUpstream

GET_CITIZEN = "/lienthong.registry.v1.RegistryService/GetCitizen"


def _edge(folder: Path, **overrides: Any) -> EdgeSettings:
    return EdgeSettings(
        config_dir=str(folder / "config"),
        state_dir=str(folder / "state"),
        admin_socket=str(folder / "admin.sock"),
        master_socket=str(folder / "master.sock"),
        **overrides,
    )


def test_every_contract_method_has_its_rule_in_the_route_map(tmp_path: Path) -> None:
    files = render(load_settings(), _edge(tmp_path), contract_routes())
    routes = dict(line.split(" ", 1) for line in files["routes.map"].splitlines())
    assert set(routes) == set(contract_methods())
    config = files["haproxy.cfg"]
    several = 0
    for path, route in contract_routes().items():
        rule, klass, block, needed = routes[path].split(":")
        assert block == route.block and klass == route.method_class[0]
        assert route.rule is not None
        group_lines = [
            line for line in config.splitlines() if f"if {{ var(req.rule) -m str {rule} }}" in line
        ]
        if route.rule.public:
            assert (rule, needed) == ("p", "")
        elif len(route.rule.scopes) == 1:  # checked by the one rule for every method of one scope
            assert {needed} == route.rule.scopes and not group_lines
        else:  # the group's own checks name each scope as a whole word, and one of them finds it lacking
            several += 1
            assert needed == ""
            for scope in route.rule.scopes:
                assert any(f'!{{ var(req.sc) -m sub " {scope} " }}' in line for line in group_lines)
    assert several, "the contract has a method of several scopes (documents' ImportEdxml)"


def _scope_lines(config: str) -> list[str]:
    return [line.strip() for line in config.splitlines() if "req.sc)" in line or "txn.miss" in line]


def test_methods_of_one_scope_share_one_rule_and_only_groups_of_several_have_their_own(
    tmp_path: Path,
) -> None:
    """The admitted path walks a fixed handful of scope rules, however many scope groups the contract has."""
    routes = contract_routes()
    config = render(load_settings(), _edge(tmp_path), routes)["haproxy.cfg"]
    single = [line for line in _scope_lines(config) if "-m reg" in line]
    assert single == [
        "http-request set-var(txn.miss) var(req.route),field(4,:) if !why !public "
        "!{ var(req.sc) -m reg '(?s)^(?: |(?<need>[^ ]+) .* \\k<need> )' }"
    ]
    several = {
        r.rule.scopes for r in routes.values() if r.rule and not r.rule.public and len(r.rule.scopes) > 1
    }
    subsets = sum(2 ** len(scopes) - 1 for scopes in several)
    # claim, the one-scope check, then per group of several: all present?, each lacking subset; the refusal
    assert len(_scope_lines(config)) == 2 + len(several) * 1 + subsets + 1
    one_scope = {p: r for p, r in routes.items() if r.rule and (r.rule.public or len(r.rule.scopes) == 1)}
    only_single = _scope_lines(render(load_settings(), _edge(tmp_path), one_scope)["haproxy.cfg"])
    assert len(only_single) == 3 and not any("req.lack" in line for line in only_single)


@pytest.mark.parametrize("scope", ["registry:citizens.read", "registry.citizens read", ""])
def test_a_scope_the_route_map_cannot_carry_is_refused_at_render(tmp_path: Path, scope: str) -> None:
    routes = contract_routes()
    route = routes[GET_CITIZEN]
    assert route.rule is not None
    bad = replace(route, rule=replace(route.rule, scopes=frozenset({scope})))
    with pytest.raises(ValueError, match="scope"):
        render(load_settings(), _edge(tmp_path), {**routes, GET_CITIZEN: bad})


def _check(folder: Path, files: dict[str, str], edge: EdgeSettings) -> subprocess.CompletedProcess[str]:
    write(files, edge.config_dir)
    StateFolder(edge.state_dir, edge.key_slots).prepare()
    binary = haproxy_binary()
    assert binary, "haproxy must be installed (tools/system-deps.sh)"
    return subprocess.run(
        [binary, "-c", "-f", f"{edge.config_dir}/haproxy.cfg"], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "shape",
    ["plain", "kubernetes", "tls", "without audit and metrics"],
)
def test_haproxy_accepts_every_shape(tmp_path: Path, shape: str) -> None:
    upstreams = {"registry": ["127.0.0.1:50062", "unix:/run/registry.sock"], "identity": ["127.0.0.1:50061"]}
    extra: dict[str, Any] = {}
    if shape == "kubernetes":
        upstreams = {
            b: [f"dns+{b}-pods.lienthong.svc.cluster.local:5006{i}"]
            for i, b in enumerate(("identity", "registry", "payment", "notify"), start=1)
        }
        extra = {
            "peers": ["edge-0=10.0.0.1:10000", "edge-1=10.0.0.2:10000"],
            "peer_name": "edge-0",
            "rest_upstream": "gateway:8080",
            "dns_resolver": "127.0.0.1:53",
            "threads": 2,
        }
    if shape == "tls":
        pem = tmp_path / "edge.pem"
        _self_signed(pem)
        extra = {"tls_pem_file": str(pem), "tls_client_ca_file": str(tmp_path / "ca.pem")}
        (tmp_path / "ca.pem").write_text(pem.read_text().split("-----BEGIN PRIVATE KEY-----")[0])
    if shape == "without audit and metrics":
        extra = {"audit_log": "", "metrics_port": 0}
    edge = _edge(tmp_path, **extra)
    gateway = load_settings(upstreams=upstreams, agency_rate_limits={"agency-big": {}})
    result = _check(tmp_path, render(gateway, edge, contract_routes()), edge)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ALERT" not in result.stderr
    config = Path(edge.config_dir, "haproxy.cfg").read_text()
    if shape == "kubernetes":
        assert "server-template registry- 10 registry-pods.lienthong.svc.cluster.local:50062" in config
        assert "peers edge" in config and "peers edge\n" in config
        assert "use_backend be_rest if rest" in config
    if shape == "tls":
        assert "verify required" in config


def _self_signed(path: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            str(path) + ".key",
            "-out",
            str(path) + ".crt",
            "-days",
            "1",
            "-subj",
            "/CN=edge",
        ],
        check=True,
        capture_output=True,
    )
    path.write_text(Path(str(path) + ".crt").read_text() + Path(str(path) + ".key").read_text())


async def test_engine_routes_http_json_to_the_gateway_and_audits_every_call(tmp_path: Path) -> None:
    """HTTP paths go to the Python gateway's HTTP listener with X-Forwarded-For overwritten; gRPC calls are
    audited as one JSON line each (never a token); HAProxy's Prometheus exporter answers."""
    seen: list[dict[str, str]] = []

    async def rest(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"path": request.path})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", rest)
    runner = web.AppRunner(app)
    await runner.setup()
    rest_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", rest_port).start()
    upstream = await EchoUpstream().start()
    mint = TokenMint()
    settings = load_settings(
        upstreams=upstream.upstreams, token_issuer=mint.issuer, token_audience=mint.audience
    )
    try:
        with engine(settings, jwks=mint.jwks(), rest_upstream=f"127.0.0.1:{rest_port}") as running:
            async with aiohttp.ClientSession() as http:
                for path in (
                    "/v1/registry/citizens/1",
                    "/oauth2/token",
                    "/.well-known/jwks.json",
                    "/openapi.json",
                ):
                    async with http.get(
                        f"http://{running.target}{path}", headers={"X-Forwarded-For": "6.6.6.6"}
                    ) as response:
                        assert response.status == 200 and (await response.json())["path"] == path
                async with http.get(f"http://127.0.0.1:{running.edge.metrics_port}/metrics") as response:
                    assert "haproxy_frontend_http_requests_total" in await response.text()
            assert all(headers["X-Forwarded-For"] == "127.0.0.1" for headers in seen)
            token = mint.token(["registry.citizens.read"], agency="ag-audit", subject="cl-audit")
            async with grpc.aio.insecure_channel(running.target) as channel:
                call = channel.unary_unary(GET_CITIZEN)
                assert (
                    await call(b"x", metadata=(("authorization", f"Bearer {token}"),), timeout=5) == b"ok:x"
                )
                with pytest.raises(grpc.aio.AioRpcError):
                    await call(b"x", metadata=(("x-request-id", "audit-2"),), timeout=5)
            lines = _wait_audit(running, 2)
    finally:
        await upstream.stop()
        await runner.cleanup()
    ok, refused = (json.loads(line) for line in lines[-2:])
    assert ok["method"] == GET_CITIZEN and ok["code"] == "OK"
    assert (ok["agency"], ok["client"]) == ("ag-audit", "cl-audit") and ok["request_id"]
    assert refused["code"] == "UNAUTHENTICATED" and refused["request_id"] == "audit-2"
    assert all(token not in line and "Bearer" not in line for line in lines)


def _wait_audit(running: Any, count: int) -> list[str]:
    import time

    for _ in range(50):
        lines = running.audit_lines()
        grpc_lines = [line for line in lines if "lienthong." in line]
        if len(grpc_lines) >= count:
            return grpc_lines
        time.sleep(0.05)
    raise AssertionError("audit lines missing:\n" + "\n".join(running.log_lines()[-20:]))


def test_per_agency_budgets_become_limit_maps(tmp_path: Path) -> None:
    """An agency's own budgets (``agency_rate_limits``) are calls admitted per window of the default budget."""
    big = {"rate": 100, "burst": 100}
    gateway = load_settings(
        rate_limits={"client": {"read": {"rate": 10, "burst": 20}, "write": {"rate": 1, "burst": 2}}},
        agency_rate_limits={"agency-big": {"client": {"read": big, "write": big}}},
    )
    files = render(gateway, _edge(tmp_path), contract_routes())
    assert files["limit_client_read.map"] == "agency-big 200\n"  # 100/s over the default's 2 s window
    assert files["limit_client_write.map"] == "agency-big 200\n"
    config = files["haproxy.cfg"]
    assert "stick-table type string len 192 size 1m expire 4000ms store gpc0,gpc0_rate(2000ms)" in config
    assert "limit_client_read.map,20)" in config  # the default: the burst per window


def test_the_engine_proves_its_forwarded_address_with_the_proxy_secret_and_strips_a_callers(
    tmp_path: Path,
) -> None:
    """Services believe ``x-forwarded-for`` only from a trusted proxy (lienthong_runtime.forwarded): the engine
    overwrites the address and sends the shared secret; without one, a caller's claimed secret is removed."""
    with_secret = render(load_settings(proxy_secret="s3cret-Value_1"), _edge(tmp_path), contract_routes())
    config = with_secret["haproxy.cfg"]
    assert "http-request set-header x-forwarded-for %[src]" in config
    assert "http-request set-header x-lienthong-proxy-secret s3cret-Value_1" in config
    without = render(load_settings(), _edge(tmp_path), contract_routes())["haproxy.cfg"]
    assert "http-request del-header x-lienthong-proxy-secret" in without
    assert "set-header x-lienthong-proxy-secret" not in without
    with pytest.raises(ValueError, match="URL-safe"):
        render(load_settings(proxy_secret="a b%c"), _edge(tmp_path), contract_routes())
