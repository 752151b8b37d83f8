"""The HAProxy front door as deployed: compose and every overlay run the engine (pinned image) with its render
step and agent; their settings are ones the edge reads, and the configuration they render passes ``haproxy -c``."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lienthong_edge.cli import resolvable_peers
from lienthong_edge.config import EdgeSettings
from lienthong_edge.render import render, write
from lienthong_edge.state import StateFolder
from lienthong_gateway.config import Settings as GatewaySettings
from lienthong_gateway.routing import BLOCKS, contract_routes
from lienthong_runtime.config import load_settings

from .manifests import OVERLAYS, compose, interpolate
from .manifests import render as kustomize

HAPROXY_IMAGE = "haproxy:2.6.12-alpine"


def _k8s_edge(overlay: str) -> tuple[dict[str, Any], dict[str, str]]:
    objects = kustomize(overlay)
    configmaps = {o["metadata"]["name"]: o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"}
    edge = next(o for o in objects if o["kind"] == "StatefulSet" and o["metadata"]["name"] == "edge")
    pod = edge["spec"]["template"]["spec"]
    agent = next(c for c in pod["containers"] if c["name"] == "agent")
    env: dict[str, str] = {}
    for ref in agent["envFrom"]:
        env.update(configmaps[ref["configMapRef"]["name"]])
    return pod, env


def _compose_edge() -> tuple[dict[str, Any], dict[str, str]]:
    services = compose()["services"]
    env = {k: interpolate(str(v)) for k, v in services["edge-agent"]["environment"].items()}
    return services, env


def _settings(env: dict[str, str], folder: Path) -> tuple[GatewaySettings, EdgeSettings]:
    saved = dict(os.environ)
    try:
        for key in [k for k in os.environ if k.startswith("LIENTHONG_")]:
            del os.environ[key]
        for (
            key,
            value,
        ) in env.items():  # mounted secrets: a stand-in file of the same kind (hex, as make-secrets.sh)
            if key.endswith("_FILE") and value.startswith("/run/secrets/"):
                stand_in = folder / "secrets" / Path(value).name
                stand_in.parent.mkdir(parents=True, exist_ok=True)
                stand_in.write_text("0123456789abcdef" * 3)
                env = {**env, key: str(stand_in)}
            if (
                key == "LIENTHONG_EDGE_TLS_PEM_FILE"
            ):  # the mounted Secret: a certificate and its key beside it
                env = {**env, key: _self_signed(folder / "tls" / Path(value).name)}
        os.environ.update(env)
        gateway = load_settings(GatewaySettings)
        edge = load_settings(
            EdgeSettings,
            config_dir=str(folder / "config"),
            state_dir=str(folder / "state"),
            admin_socket=str(folder / "admin.sock"),
            master_socket=str(folder / "master.sock"),
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return gateway, edge


def _self_signed(pem: Path) -> str:
    """A certificate at ``pem`` and its key at ``pem.key``, as the overlay mounts the Secret ``edge-tls``."""
    pem.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", f"{pem}.key", "-out", str(pem), "-days", "1", "-subj", "/CN=edge"],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(pem)


def test_prod_serves_the_engine_over_tls_from_a_secret() -> None:
    """The prod overlay's engine terminates TLS with the Secret edge-tls (certificate and key where HAProxy looks
    for them) and can require client certificates from the optional Secret edge-client-ca."""
    pod, env = _k8s_edge("prod")
    pem = env["LIENTHONG_EDGE_TLS_PEM_FILE"]
    haproxy = next(c for c in pod["containers"] if c["name"] == "haproxy")
    mount = next(m for m in haproxy["volumeMounts"] if pem.startswith(m["mountPath"] + "/"))
    assert mount.get("readOnly") is True
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    secrets = {s["secret"]["name"]: s["secret"] for s in volume["projected"]["sources"]}
    name = pem.removeprefix(mount["mountPath"] + "/")
    assert {i["key"]: i["path"] for i in secrets["edge-tls"]["items"]} == {
        "tls.crt": name,
        "tls.key": f"{name}.key",
    }
    assert not secrets["edge-tls"].get("optional")
    assert secrets["edge-client-ca"]["optional"] is True
    assert secrets["edge-client-ca"]["items"] == [{"key": "ca.crt", "path": "client-ca.pem"}]
    for other in OVERLAYS:  # only prod has the Secret; the others stay plaintext behind their own front
        if other != "prod":
            assert "LIENTHONG_EDGE_TLS_PEM_FILE" not in _k8s_edge(other)[1]


def _known(env: dict[str, str]) -> list[str]:
    names = {f"LIENTHONG_GATEWAY_{f}".upper() for f in GatewaySettings.model_fields}
    names |= {f"LIENTHONG_EDGE_{f}".upper() for f in EdgeSettings.model_fields}
    return sorted(
        k
        for k in env
        if k.startswith(("LIENTHONG_EDGE_", "LIENTHONG_GATEWAY_"))
        and k not in names
        and k.removesuffix("_FILE") not in names
    )


@pytest.mark.parametrize("source", ["compose", *OVERLAYS])
def test_the_engine_runs_pinned_with_its_render_and_agent(source: str, tmp_path: Path) -> None:
    if source == "compose":
        services, env = _compose_edge()
        assert services["edge"]["image"] == HAPROXY_IMAGE
        assert services["edge-render"]["command"][:2] == ["edge", "render"]
        assert services["edge-agent"]["command"] == ["edge", "agent"]
        assert services["edge"]["depends_on"]["edge-render"]["condition"] == "service_completed_successfully"
    else:
        pod, env = _k8s_edge(source)
        images = {c["name"]: c["image"] for c in pod["containers"]}
        assert images["haproxy"] == HAPROXY_IMAGE
        assert [c["args"][:2] for c in pod["initContainers"]] == [["edge", "render"], ["edge", "agent"]]
        assert next(c for c in pod["containers"] if c["name"] == "agent")["args"] == ["edge", "agent"]
    assert not _known(env), f"{source}: variables the edge never reads: {_known(env)}"
    gateway, edge = _settings(env, tmp_path)
    assert edge.host == "0.0.0.0" and edge.rest_upstream == "gateway:8080"
    assert set(gateway.upstreams) == set(BLOCKS)  # every block of the contract has its upstream
    # The configuration this deployment renders is one HAProxy accepts (peers that do not resolve here are left
    # out, as the render step does in the pod).
    edge = edge.model_copy(update={"peers": resolvable_peers(edge.peers, 0)})
    write(render(gateway, edge, contract_routes()), edge.config_dir)
    StateFolder(edge.state_dir, edge.key_slots).prepare()
    checked = subprocess.run(
        ["haproxy", "-c", "-f", f"{edge.config_dir}/haproxy.cfg"], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    if edge.tls_pem_file:
        assert f"ssl crt {edge.tls_pem_file}" in (Path(edge.config_dir) / "haproxy.cfg").read_text()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_block_has_a_headless_service_for_the_engine(overlay: str) -> None:
    objects = kustomize(overlay)
    headless = {
        o["metadata"]["name"]
        for o in objects
        if o["kind"] == "Service" and o["spec"].get("clusterIP") == "None"
    }
    _, env = _k8s_edge(overlay)
    gateway, _ = _settings(env, Path("/nonexistent"))
    for block, targets in gateway.upstreams.items():
        for target in targets:
            assert target.startswith("dns+"), f"{overlay}: {block} -> {target}"
            assert target[4:].rsplit(":", 1)[0] in headless, f"{overlay}: {target} names no headless Service"
