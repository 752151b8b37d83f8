"""What the deploy tests read: the Settings classes (derived at test time), the rendered Kubernetes overlays and
the compose file, reduced to one shape: a :class:`Workload` (which command a container runs, with which
environment, which ports and which health checks)."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr

from lienthong_cli.main import build_parser
from lienthong_cli.services import SERVICES
from lienthong_runtime.config import ServiceSettings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "compose" / "compose.yaml"
K8S = DEPLOY / "k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if (p / "kustomization.yaml").exists())
#: kubectl renders the overlays (its built-in kustomize); LIENTHONG_KUBECTL overrides where it is.
KUBECTL = os.environ.get("LIENTHONG_KUBECTL") or shutil.which("kubectl") or "/usr/bin/kubectl"
#: Kubernetes version the manifests target (schemas shipped by kubernetes-validate).
K8S_VERSION = "1.31"
IMAGE = "lienthong"


# --- settings -------------------------------------------------------------------------------------------------
def settings_class(service: str) -> type[ServiceSettings]:
    """The Settings class ``lienthong serve <service>`` loads (return type of bootstrap.load_settings)."""
    module = SERVICES[service].bootstrap()
    cls = module.load_settings.__annotations__.get("return")
    if not isinstance(cls, type):
        cls = importlib.import_module(f"{SERVICES[service].package}.config").Settings
    assert issubclass(cls, ServiceSettings)
    return cls


def env_prefix(cls: type[ServiceSettings]) -> str:
    return str(cls.model_config.get("env_prefix", "")).upper()


def env_names(cls: type[ServiceSettings]) -> dict[str, str]:
    """Every environment variable the settings read -> field name (``NAME`` and the ``NAME_FILE`` variant)."""
    names: dict[str, str] = {}
    for name in cls.model_fields:
        names.setdefault(f"{env_prefix(cls)}{name}_FILE".upper(), name)
    for name in cls.model_fields:  # a field whose own name ends in _file (tls_cert_file) wins over a variant
        names[f"{env_prefix(cls)}{name}".upper()] = name
    return names


def is_file_variant(cls: type[ServiceSettings], key: str) -> bool:
    """Whether ``key`` is the ``*_FILE`` variant of a setting (its value is a path to the secret)."""
    name = env_names(cls).get(key)
    return name is not None and key == f"{env_prefix(cls)}{name}_FILE".upper()


def required_fields(cls: type[ServiceSettings]) -> set[str]:
    return {name for name, info in cls.model_fields.items() if info.is_required()}


def secret_fields(cls: type[ServiceSettings]) -> set[str]:
    """Fields that must come from a secret: typed SecretStr, plus the database URL (it holds a password)."""
    found = {"database_url"} | secret_typed_fields(cls)
    return found & set(cls.model_fields)


def secret_typed_fields(cls: type[ServiceSettings]) -> set[str]:
    return {name for name, info in cls.model_fields.items() if SecretStr in _types(info.annotation)}


def _types(annotation: Any) -> set[Any]:
    args = getattr(annotation, "__args__", None)
    return {annotation} if not args else {t for a in args for t in _types(a)}


@cache
def serve_choices() -> set[str]:
    return set(_subparser("serve")._actions[1].choices or ())


@cache
def migrate_choices() -> set[str]:
    return set(_subparser("migrate")._actions[1].choices or ()) - {"all"}


@cache
def partitions_choices() -> set[str]:
    return set(_subparser("partitions")._actions[1].choices or ()) - {"all"}


def _subparser(command: str) -> Any:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sub.choices[command]


# --- workloads ------------------------------------------------------------------------------------------------
@dataclass
class EnvValue:
    """One environment variable of a container: a literal, a secret reference, or a file path (``*_FILE``)."""

    literal: str | None = None
    secret: str | None = None


@dataclass
class Workload:
    where: str
    command: list[str]
    env: dict[str, EnvValue]
    #: Ports the container declares (name -> number); compose: published container ports.
    ports: dict[str, int] = field(default_factory=dict)
    #: (kind, port, path) of each health check: ("grpc", 50061, "") or ("http", 8051, "/healthz").
    probes: list[tuple[str, int, str]] = field(default_factory=list)
    #: Secret files the container has (compose: /run/secrets/<name>; k8s: mounted paths).
    secret_files: set[str] = field(default_factory=set)

    @property
    def service(self) -> str:
        return self.command[1]


@cache
def render(overlay: str) -> tuple[dict[str, Any], ...]:
    """The objects ``kubectl kustomize deploy/k8s/overlays/<overlay>`` renders."""
    if not Path(KUBECTL).exists():
        raise RuntimeError(f"kubectl not found ({KUBECTL}): install it, it renders the kustomize overlays")
    out = subprocess.run(
        [KUBECTL, "kustomize", str(K8S / "overlays" / overlay)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return tuple(doc for doc in yaml.safe_load_all(out) if doc)


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The pod spec of a workload object (a CronJob's is inside its job template); None for other kinds."""
    if obj["kind"] in ("Deployment", "Job", "StatefulSet"):
        return obj["spec"]["template"]["spec"]
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return None


def k8s_workloads(objects: tuple[dict[str, Any], ...]) -> list[Workload]:
    """Every container running the Liên Thông image in Deployments, Jobs and CronJobs."""
    configmaps = {o["metadata"]["name"]: o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"}
    found = []
    for obj in objects:
        pod = pod_spec(obj)
        if pod is None:
            continue
        mounts = _secret_mounts(pod)
        for c in pod["containers"]:
            if not c["image"].split("@")[0].rsplit(":", 1)[0].endswith(IMAGE):
                continue
            if c.get("args", [""])[0] == "edge":  # the front door's agent: tests/deploy/test_edge_deploy.py
                continue
            env: dict[str, EnvValue] = {}
            for ref in c.get("envFrom", []):
                assert "configMapRef" in ref, f"{obj['metadata']['name']}: envFrom only from ConfigMaps"
                env.update(
                    {k: EnvValue(literal=str(v)) for k, v in configmaps[ref["configMapRef"]["name"]].items()}
                )
            for item in c.get("env", []):
                if "value" in item:
                    env[item["name"]] = EnvValue(literal=str(item["value"]))
                else:
                    ref = item["valueFrom"]["secretKeyRef"]
                    env[item["name"]] = EnvValue(secret=f"{ref['name']}/{ref['key']}")
            probes = []
            for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
                probe = c.get(kind)
                if probe and "grpc" in probe:
                    probes.append(("grpc", probe["grpc"]["port"], probe["grpc"].get("service", "")))
                elif probe and "httpGet" in probe:
                    probes.append(("http", probe["httpGet"]["port"], probe["httpGet"]["path"]))
            mounted = {m["mountPath"] for m in c.get("volumeMounts", []) if m["name"] in mounts}
            found.append(
                Workload(
                    where=f"{obj['kind']}/{obj['metadata']['name']}",
                    command=list(c.get("args", [])),
                    env=env,
                    ports={
                        p.get("name", str(p["containerPort"])): p["containerPort"] for p in c.get("ports", [])
                    },
                    probes=probes,
                    secret_files=mounted,
                )
            )
    return found


def _secret_mounts(pod: dict[str, Any]) -> set[str]:
    return {v["name"] for v in pod.get("volumes", []) if "secret" in v or "projected" in v}


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def interpolate(value: str, environ: dict[str, str] | None = None) -> str:
    """Compose's ``${VAR:-default}`` interpolation (with an empty environment by default, i.e. the defaults)."""
    environ = environ or {}
    return _INTERPOLATION.sub(lambda m: environ.get(m.group(1)) or (m.group(2) or ""), value)


def compose_workloads() -> list[Workload]:
    """Every compose service running the Liên Thông image."""
    found = []
    for name, svc in compose()["services"].items():
        if not interpolate(svc.get("image", "")).split(":")[0].endswith(IMAGE):
            continue
        if svc["command"][0] == "edge":  # the front door's render and agent: tests/deploy/test_edge_deploy.py
            continue
        env = {k: EnvValue(literal=interpolate(str(v))) for k, v in (svc.get("environment") or {}).items()}
        probes = []
        test = (svc.get("healthcheck") or {}).get("test")
        if test:
            assert test[:3] == ["CMD", "python", "/opt/lienthong/bin/grpc_health_check.py"], test
            probes.append(("grpc", int(test[3].rsplit(":", 1)[1]), test[4] if len(test) > 4 else ""))
        ports = {}
        for spec in svc.get("ports", []):
            container = int(interpolate(str(spec)).rsplit(":", 1)[1].split("/")[0])
            ports[str(container)] = container
        secrets = {f"/run/secrets/{s if isinstance(s, str) else s['source']}" for s in svc.get("secrets", [])}
        found.append(
            Workload(
                where=f"compose service {name}",
                command=list(svc["command"]),
                env=env,
                ports=ports,
                probes=probes,
                secret_files=secrets,
            )
        )
    return found


# --- effective settings -----------------------------------------------------------------------------------------
def effective_settings(
    workload: Workload, placeholder_secret: str = "postgresql+asyncpg://u:p@db:5432/db"
) -> Any:
    """Settings the workload's process would load: its environment applied through the service's
    ``load_settings`` (secrets and ``*_FILE`` files replaced by a placeholder value)."""
    module = SERVICES[workload.service].bootstrap()
    environ: dict[str, str] = {}
    overrides: dict[str, Any] = {}
    cls = settings_class(workload.service)
    names = env_names(cls)
    for key, value in workload.env.items():
        if is_file_variant(cls, key) or value.secret is not None:
            overrides[names[key]] = placeholder_secret
        else:
            environ[key] = value.literal or ""
    saved = dict(os.environ)
    try:
        for key in [k for k in os.environ if k.startswith("LIENTHONG_")]:
            del os.environ[key]
        os.environ.update(environ)
        return module.load_settings(**overrides)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def host_port(target: str) -> tuple[str, int]:
    """``grpc://identity:50061`` / ``identity:50061`` / ``nats://nats:4222`` -> (host, port)."""
    target = target.split("://", 1)[-1].split("/", 1)[0]
    host, port = target.rsplit(":", 1)
    return host, int(port)


def upstream_targets(settings: Any) -> dict[str, list[str]]:
    upstreams = settings.upstreams
    return json.loads(upstreams) if isinstance(upstreams, str) else dict(upstreams)
