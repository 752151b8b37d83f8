"""The clustered NATS of production (``deploy/k8s/nats-cluster``): it renders, validates against the API schemas,
runs three servers that route to each other by their stable names, keeps quorum through one disruption, and its
``nats.conf`` is one nats-server accepts (the same file runs the drill of tests/scale/test_jetstream_cluster.py).
The prod overlay's bus URLs ask for R3 streams."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from tests.events.support import NATS_SERVER

from .manifests import K8S, K8S_VERSION, KUBECTL, render

CLUSTER_DIR = K8S / "nats-cluster"


def _objects() -> dict[str, dict[str, Any]]:
    out = subprocess.run(
        [KUBECTL, "kustomize", str(CLUSTER_DIR)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    return {f"{d['kind']}/{d['metadata']['name']}": d for d in yaml.safe_load_all(out) if d}


def test_the_cluster_renders_and_validates() -> None:
    objects = _objects()
    for obj in objects.values():
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
    assert all(o["metadata"].get("namespace") == "nats" for o in objects.values() if o["kind"] != "Namespace")


def test_three_servers_with_stable_names_routed_to_each_other() -> None:
    objects = _objects()
    sts = objects["StatefulSet/nats"]
    spec = sts["spec"]
    assert spec["replicas"] == 3 and spec["podManagementPolicy"] == "Parallel"
    headless = objects[f"Service/{spec['serviceName']}"]["spec"]
    assert headless["clusterIP"] == "None" and headless["publishNotReadyAddresses"] is True
    assert {p["port"] for p in headless["ports"]} >= {4222, 6222}
    assert objects["PodDisruptionBudget/nats"]["spec"]["minAvailable"] == 2
    config = next(o for k, o in objects.items() if k.startswith("ConfigMap/nats-config"))["data"]["nats.conf"]
    routes = re.findall(r"nats-route://([a-z0-9-]+)\.([a-z0-9-]+):6222", config)
    assert routes == [(f"nats-{n}", spec["serviceName"]) for n in range(spec["replicas"])]
    container = spec["template"]["spec"]["containers"][0]
    assert {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}} in container["env"]
    assert "server_name: $POD_NAME" in config
    volume = spec["template"]["spec"]["volumes"][0]["configMap"]["name"]
    assert volume.startswith("nats-config")  # the generated (hashed) name, so a change rolls the servers
    assert spec["volumeClaimTemplates"][0]["metadata"]["name"] == "data" and "store_dir: /data" in config


def test_nats_server_accepts_the_configuration(tmp_path: Path) -> None:
    conf = tmp_path / "nats.conf"
    conf.write_text((CLUSTER_DIR / "nats.conf").read_text())
    result = subprocess.run(
        [NATS_SERVER, "-t", "-c", str(conf)],
        env={**os.environ, "POD_NAME": "nats-0"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_bus_urls_ask_for_r3_streams() -> None:
    urls = [
        value
        for obj in render("prod")
        if obj["kind"] == "ConfigMap"
        for key, value in (obj.get("data") or {}).items()
        if key.endswith("_BUS_URL")
    ]
    assert urls and all(url.startswith("nats://nats.nats.svc:4222?") and "replicas=3" in url for url in urls)
