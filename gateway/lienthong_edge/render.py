"""``lienthong edge render``: the HAProxy configuration of the production front door, from the contract and the
gateway's settings (one source of truth, no hand-kept route list).

The output is one flat folder: ``haproxy.cfg``, ``lienthong.lua`` (refusals as gRPC statuses) and maps
(``routes.map``, ``codes.map``, per-agency ``limit_*.map``). Deployments render it when the engine's pod or
container starts, from the same settings as the gateway, so an overlay's policy is the engine's too. The agent's
state (key slots, revocation maps) lives in another folder, see :mod:`lienthong_edge.state`.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path

from lienthong_gateway.config import Settings as GatewaySettings
from lienthong_gateway.routing import BLOCKS, Route
from lienthong_runtime.config import secret_value

from . import rules as r
from .config import EdgeSettings
from .health import check_lines
from .lua import render_lua
from .refusals import catalogue

#: HTTP/JSON paths served by the Python gateway's HTTP listener (REST face, OAuth 2.0, discovery, OpenAPI).
REST_PREFIXES = ("/v1/", "/oauth2/", "/.well-known/", "/openapi")
#: Backends that answer refusals, one per ErrorInfo reason (``refusal_TOKEN_EXPIRED``...).
REFUSAL_PREFIX = "refusal_"

_AUDIT_FORMAT = (
    '{"ts":%Ts,"method":"%[var(txn.path),json(utf8s)]","code":"%[var(txn.code)]","http_status":%ST,'
    '"latency_ms":%Ta,"request_id":"%[var(txn.rid),json(utf8s)]","agency":"%[var(txn.agency_id,),json(utf8s)]",'
    '"client":"%[var(txn.client_id,),json(utf8s)]","subject":"%[var(txn.sub,),json(utf8s)]"}'
)


def route_map(routes: Mapping[str, Route], groups: Mapping[frozenset[str], str]) -> str:
    """``/pkg.Service/Method rule:class:block:scope`` lines; rule ``p`` public, ``n`` none (refused), else a scope
    group; ``scope`` the one scope the method needs, empty when it needs none or several (see
    :func:`lienthong_edge.rules.scope_rules`)."""
    lines = []
    for path, route in sorted(routes.items()):
        rule = route.rule
        kind = "n" if rule is None else "p" if rule.public else groups[rule.scopes]
        needed = ""
        if rule is not None and not rule.public:
            for scope in rule.scopes:  # a field of this line, and a word the engine finds in the scope claim
                if not scope or ":" in scope or any(c.isspace() for c in scope):
                    raise ValueError(f"{path}: scope {scope!r} is empty or holds ':' or a space")
            if len(rule.scopes) == 1:
                (needed,) = rule.scopes
        lines.append(f"{path} {kind}:{route.method_class[0]}:{route.block}:{needed}")
    return "".join(line + "\n" for line in lines)


def _named(target: str) -> bool:
    """A host name (resolved by DNS at run time), not an address or a socket."""
    if target.startswith(("unix:", "dns+")):
        return target.startswith("dns+")
    host = target.rsplit(":", 1)[0].strip("[]")
    try:
        ipaddress.ip_address(host)
        return False
    except ValueError:
        return True


def _server_lines(block: str, targets: list[str], edge: EdgeSettings) -> list[str]:
    lines = []
    for index, target in enumerate(targets, start=1):
        if target.startswith("dns+"):  # every address the name resolves to takes calls (headless Service)
            lines.append(
                f"server-template {block}- {edge.dns_slots} {target[4:]} resolvers dns init-addr none"
            )
        elif target.startswith("unix:"):
            lines.append(f"server {block}{index} unix@{target[5:]}")
        elif _named(target):  # a name that does not resolve yet must not stop the engine from starting
            lines.append(f"server {block}{index} {target} resolvers dns init-addr last,libc,none")
        else:
            lines.append(f"server {block}{index} {target}")
    return lines


def _backend(block: str, targets: list[str], edge: EdgeSettings) -> list[str]:
    return [
        f"backend be_{block}",
        "    balance roundrobin",  # per call: each HTTP/2 stream picks a server
        "    http-reuse always",
        *("    " + line for line in check_lines()),
        f"    default-server proto h2 check inter {edge.check_interval_ms} fall 1 rise 1",
        *("    " + line for line in _server_lines(block, targets, edge)),
        "",
    ]


def _peers(edge: EdgeSettings) -> tuple[list[str], str]:
    if not edge.peers:
        return [], ""
    lines = ["peers edge"]
    for entry in edge.peers:
        name, _, address = entry.partition("=")
        lines.append(f"    peer {name} {address}")
    return [*lines, ""], " peers edge"


def _proxy_secret_lines(gateway: GatewaySettings) -> list[str]:
    secret = secret_value(gateway.proxy_secret)
    if not secret:
        return ["    http-request del-header x-lienthong-proxy-secret"]
    if not all(c.isalnum() or c in "-_.~" for c in secret):
        raise ValueError(
            "the proxy secret must be URL-safe text (letters, digits, -_.~) to be set by HAProxy"
        )
    return [f"    http-request set-header x-lienthong-proxy-secret {secret}"]


def render(
    gateway: GatewaySettings,
    edge: EdgeSettings,
    routes: Mapping[str, Route],
) -> dict[str, str]:
    """Every file of the configuration, by path relative to ``edge.config_dir`` (paths inside are absolute).

    Keys and revocation state are not part of it: they live in ``edge.state_dir``, written by the agent."""
    base, state = edge.config_dir, edge.state_dir
    maps = base
    scopes = {p: route.rule.scopes for p, route in routes.items() if route.rule and not route.rule.public}
    groups = r.scope_groups(scopes)
    served = {b: t for b, t in gateway.upstreams.items() if t}
    without = sorted(b for b in BLOCKS if b not in served)
    peer_lines, peers_opt = _peers(edge)
    cache = edge.verify_cache_s > 0
    cases = catalogue(without)

    glob = [
        "global",
        f"    stats socket {edge.admin_socket} mode 600 level admin expose-fd listeners",
        f"    lua-load {base}/lienthong.lua",
        f"    nbthread {edge.threads}",
        *([f"    localpeer {edge.peer_name}"] if edge.peer_name else []),
        "    tune.bufsize 32768",
        # Every pattern the rules match is one string, a map (a tree) or a short JIT-compiled regex (request id,
        # needed scope): the match cache would hash each sample for little or nothing.
        "    tune.pattern.cache-size 0",
    ]
    if edge.audit_log == "stdout":
        glob.append("    log stdout format raw local0 info")
    elif edge.audit_log:
        glob.append(f"    log {edge.audit_log} format raw local0 info")
    named = [t for targets in served.values() for t in targets] + (
        [edge.rest_upstream] if edge.rest_upstream else []
    )
    if any(_named(t) for t in named):
        resolver = f"nameserver ns1 {edge.dns_resolver}" if edge.dns_resolver else "parse-resolv-conf"
        peer_lines += [
            "resolvers dns",
            f"    {resolver}",
            "    hold valid 5s",
            "    accepted_payload_size 8192",
            "",
        ]
    defaults = [
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option dontlognull",
        "    timeout connect 5s",
        "    timeout client 1h",  # server streams stay open as long as the caller reads
        "    timeout server 1h",
        "    timeout http-request 30s",
        "    timeout check 1s",
        "",
    ]
    tls = ""
    if edge.tls_pem_file:
        tls = f" ssl crt {edge.tls_pem_file} alpn h2,http/1.1"
        if edge.tls_client_ca_file:
            tls += f" ca-file {edge.tls_client_ca_file} verify required"
    front = [
        "frontend fe_public",
        f"    bind {edge.host}:{edge.port}{tls}",
        f"    log-format '{_AUDIT_FORMAT}'" if edge.audit_log else "    no log",
        "    acl grpc var(req.route) -m found",
        "    acl why var(txn.why) -m found",
        "    acl public var(req.rule) -m str p",
        "    acl anon var(req.anon) -m bool",
        # A token this process has seen pass every check on its bytes (see rules.token_rules).
        "    acl known var(req.hit) -m int 1" if cache else "    acl known always_false",
        "    acl has_auth req.hdr(authorization) -m found",
        f"    acl rest path_beg {' '.join(REST_PREFIXES)}"
        if gateway_rest(edge)
        else "    acl rest always_false",
        # Request id: the caller's when well formed, else a fresh one; the caller's address, overwritten.
        "    http-request set-var(txn.rid) req.hdr(x-request-id) if { req.hdr(x-request-id) -m reg "
        "^[A-Za-z0-9._:-]{1,128}$ }",
        "    http-request set-var(txn.rid) uuid,regsub(-,,g) unless { var(txn.rid) -m found }",
        "    http-request set-header x-request-id %[var(txn.rid)]",
        "    http-request set-header x-forwarded-for %[src]",
        # Forwarding headers are the engine's to write; the proxy secret proves to the gateway and the services
        # (lienthong_runtime.forwarded) that this x-forwarded-for may be believed.
        "    http-request del-header forwarded",
        "    http-request del-header x-real-ip",
        *_proxy_secret_lines(gateway),
        "    http-request set-var(txn.path) path",
        "    http-request set-var(txn.code) str(OK)",
        f"    http-request set-var(req.route) path,map({maps}/routes.map) unless rest",
        "    http-request set-var(txn.why) str(unknown) if !rest !grpc",
        "    http-request use-service lua.grpc_refusal if !rest !grpc",
        "    http-request set-var(txn.why) str(rest) if rest",  # skips every check below
        "    http-request set-var(req.rule) var(req.route),field(1,:)",
        "    http-request set-var(req.cls) var(req.route),field(2,:)",
        "    http-request set-var(req.block) var(req.route),field(3,:)",
        "    http-request set-var(txn.why) str(no_rule) if grpc { var(req.rule) -m str n }",
        *("    " + line for line in r.token_rules(gateway, edge.key_slots, maps, state, verify_cache=cache)),
        *("    " + line for line in r.scope_rules(groups)),
        *("    " + line for line in r.limit_rules(gateway, maps)),
        *(  # one map lookup, not a rule per block
            [
                f"    http-request set-var(txn.why) var(req.block),map({maps}/noup.map) if grpc !why "
                f"{{ var(req.block),map({maps}/noup.map) -m found }}"
            ]
            if without
            else []
        ),
        "    http-response set-var(txn.code) res.hdr(grpc-status),map(" + maps + "/codes.map) "
        "if { res.hdr(grpc-status) -m found }",
        # No upstream answered (all down): gRPC clients read HTTP 503 as UNAVAILABLE; so does the audit.
        "    http-after-response set-var(txn.code) str(UNAVAILABLE) if { status 503 }",
        *(["    use_backend be_rest if rest"] if gateway_rest(edge) else []),
        # A refusal is answered by the backend named after its ErrorInfo reason, so HAProxy's own exporter counts
        # refusals by reason (haproxy_backend_http_requests_total{proxy="refusal_<REASON>"}; rules.yml records it
        # as lienthong_front_door_refusals_total, the gateway's metric).
        f"    use_backend {REFUSAL_PREFIX}%[var(txn.why),map({maps}/reasons.map)] if grpc why",
        "    use_backend be_%[var(req.block)]",
        "",
    ]
    backends: list[str] = []
    for reason in sorted({refusal.reason for refusal in cases.values()}):
        backends += [
            f"backend {REFUSAL_PREFIX}{reason}",
            "    http-request use-service lua.grpc_refusal",
            "",
        ]
    for block in sorted(served):
        backends += _backend(block, served[block], edge)
    if gateway_rest(edge):
        resolve = " resolvers dns init-addr last,libc,none" if _named(edge.rest_upstream) else ""
        backends += ["backend be_rest", f"    server rest {edge.rest_upstream} check{resolve}", ""]
    for table, budget in r.limit_tables(gateway).items():
        kind = "ip" if table == "st_anon_addr" else "string len 192"
        expire = max(r.window_ms(budget) * 2, 1000)
        backends += [
            f"backend {table}",
            f"    stick-table type {kind} size 1m expire {expire}ms store gpc0,gpc0_rate({r.window_ms(budget)}ms)"
            f"{peers_opt}",
            "",
        ]
    if edge.verify_cache_s > 0:  # deliberately without peers: each process verifies for itself
        backends += [
            f"backend {r.VERIFIED_TABLE}",
            f"    stick-table type binary len 32 size 100k expire {edge.verify_cache_s}s store gpt0",
            "",
        ]
    metrics = []
    if edge.metrics_port:
        metrics = [
            "frontend fe_metrics",
            f"    bind {edge.host}:{edge.metrics_port}",
            "    no log",
            "    http-request use-service prometheus-exporter if { path /metrics }",
            "    http-request return status 404",
            "",
        ]
    config = [
        "# Rendered by `lienthong edge render` from the contract and the gateway's settings; do not edit.",
        *glob,
        *defaults,
        *peer_lines,
        *front,
        *backends,
        *metrics,
    ]
    files = {
        "haproxy.cfg": "\n".join(config) + "\n",
        "lienthong.lua": render_lua(cases),
        "reasons.map": "".join(f"{case} {refusal.reason}\n" for case, refusal in sorted(cases.items())),
        "routes.map": route_map(routes, groups),
        "codes.map": codes_map(),
        "noup.map": "".join(f"{b} noup_{b}\n" for b in without),
        **r.limit_maps(gateway),
    }
    return files


def gateway_rest(edge: EdgeSettings) -> bool:
    return bool(edge.rest_upstream)


def codes_map() -> str:
    import grpc

    return "".join(f"{code.value[0]} {code.name}\n" for code in grpc.StatusCode)


def write(files: Mapping[str, str], folder: str) -> None:
    """Write the files, each atomically (a reload never reads half a file)."""
    root = Path(folder)
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
