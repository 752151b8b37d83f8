"""Manifests and compose agree with the code: the expectations are derived, at test time, from the Settings
classes (field names + env prefix, ``*_FILE`` variants, defaults) and the ``lienthong`` command line, so a
setting added to a service's config.py is checked here without editing this file."""

from __future__ import annotations

import copy

import pytest
from pydantic import SecretStr, create_model

from lienthong_cli.services import BUILDING_BLOCKS, SERVICES

from .manifests import (
    OVERLAYS,
    Workload,
    compose,
    compose_workloads,
    effective_settings,
    env_names,
    host_port,
    is_file_variant,
    migrate_choices,
    partitions_choices,
    render,
    required_fields,
    secret_fields,
    secret_typed_fields,
    serve_choices,
    settings_class,
    upstream_targets,
)


def _all_workloads() -> list[tuple[str, Workload]]:
    found = [("compose", w) for w in compose_workloads()]
    for overlay in OVERLAYS:
        found.extend((overlay, w) for w in k8s_workloads_of(overlay))
    return found


def k8s_workloads_of(overlay: str) -> list[Workload]:
    from .manifests import k8s_workloads

    return k8s_workloads(render(overlay))


WORKLOADS = _all_workloads()
IDS = [f"{source}:{w.where}" for source, w in WORKLOADS]


def test_every_process_is_deployed_everywhere():
    for source in ("compose", *OVERLAYS):
        commands = {tuple(w.command) for s, w in WORKLOADS if s == source}
        assert {("serve", s) for s in SERVICES} <= commands, source
        assert {("migrate", s) for s in SERVICES if SERVICES[s].migrates} <= commands, source


@pytest.mark.parametrize(("source", "workload"), WORKLOADS, ids=IDS)
def test_command_is_one_the_cli_accepts(source, workload):
    verb, service = workload.command[:2]
    choices = {"serve": serve_choices, "migrate": migrate_choices, "partitions": partitions_choices}
    assert verb in choices
    assert service in choices[verb]()


@pytest.mark.parametrize(("source", "workload"), WORKLOADS, ids=IDS)
def test_every_variable_is_read_by_that_services_settings(source, workload):
    names = env_names(settings_class(workload.service))
    unknown = sorted(set(workload.env) - set(names))
    assert not unknown, f"{workload.where} sets variables {workload.service} never reads: {unknown}"


@pytest.mark.parametrize(("source", "workload"), WORKLOADS, ids=IDS)
def test_every_required_setting_is_set(source, workload):
    cls = settings_class(workload.service)
    names = env_names(cls)
    provided = {names[k] for k in workload.env}
    missing = sorted(required_fields(cls) - provided)
    assert not missing, f"{workload.where}: required settings of {workload.service} not set: {missing}"


@pytest.mark.parametrize(("source", "workload"), WORKLOADS, ids=IDS)
def test_secrets_come_from_secret_stores(source, workload):
    cls = settings_class(workload.service)
    names = env_names(cls)
    for key, value in workload.env.items():
        field = names[key]
        if is_file_variant(cls, key) or field.endswith("_file"):
            path = value.literal or ""
            mounted = any(path == m or path.startswith(m.rstrip("/") + "/") for m in workload.secret_files)
            assert mounted, f"{workload.where}: {key}={path} is not in a mounted secret"
        elif field in secret_fields(cls):
            assert value.secret is not None, f"{workload.where}: {key} is a secret but set as a literal"
    if SERVICES[workload.service].migrates:
        assert any(names[k] == "database_url" for k in workload.env), f"{workload.where}: no database"


@pytest.mark.parametrize(("source", "workload"), WORKLOADS, ids=IDS)
def test_values_parse_as_the_settings_types(source, workload):
    settings = effective_settings(workload)
    if workload.command[0] == "serve":
        assert settings.host == "0.0.0.0", f"{workload.where}: must listen beyond loopback in a container"
        assert settings.http_host == "0.0.0.0" or not settings.http_port


@pytest.mark.parametrize(
    ("source", "workload"),
    [(s, w) for s, w in WORKLOADS if w.command[0] == "serve"],
    ids=[i for i, (_, w) in zip(IDS, WORKLOADS, strict=True) if w.command[0] == "serve"],
)
def test_ports_and_probes_match_what_the_process_serves(source, workload):
    settings = effective_settings(workload)
    assert workload.probes, f"{workload.where}: no health check"
    for kind, port, path in workload.probes:
        if kind == "grpc":
            assert port == settings.port, f"{workload.where}: gRPC probe on {port}, serves {settings.port}"
        else:
            assert (port, path) == (settings.http_port, "/healthz"), workload.where
    served = {"grpc": settings.port, "http": settings.http_port}
    if workload.service == "gateway":
        served["rest"] = settings.rest_port  # the REST/JSON face
    if source == "compose":
        assert set(workload.ports.values()) <= set(served.values()), workload.where
    else:
        assert workload.ports == served, workload.where


def _service_ports(source: str) -> dict[str, set[int]]:
    """Host name -> ports reachable under it: compose service names, or Kubernetes Service names."""
    if source == "compose":
        reachable: dict[str, set[int]] = {
            "nats": {4222},
            "postgres": {5432},
            "mailpit": {1025},
            "redis": {6379},
        }
        for workload in compose_workloads():
            if workload.command[0] == "serve":
                settings = effective_settings(workload)
                reachable[workload.service] = {settings.port, settings.http_port}
                if workload.service == "gateway":
                    reachable[workload.service].add(settings.rest_port)
        return reachable
    services = [o for o in render(source) if o["kind"] == "Service"]
    return {s["metadata"]["name"]: {p["port"] for p in s["spec"]["ports"]} for s in services}


@pytest.mark.parametrize("source", ["compose", *OVERLAYS])
def test_addresses_between_processes_resolve(source):
    """Upstreams, JWKS, bus, Redis and SMTP addresses name a host and port that something in the same
    deployment serves."""
    reachable = _service_ports(source)
    external_bus = source == "prod"
    for where, workload in WORKLOADS:
        if where != source or workload.command[0] != "serve":
            continue
        settings = effective_settings(workload)
        if workload.service == "portal":  # verifies no token and uses no bus: it only calls the front door
            host, port = host_port(f"grpc://{settings.gateway_target}")
            assert port in reachable.get(host, set()), (
                f"{workload.where}: front door {settings.gateway_target}"
            )
            continue
        host, port = host_port(settings.jwks_url)
        assert port in reachable.get(host, set()), f"{workload.where}: JWKS {settings.jwks_url}"
        if not external_bus:
            host, port = host_port(settings.bus_url)
            assert port in reachable.get(host, set()), f"{workload.where}: bus {settings.bus_url}"
        external = source == "prod"  # managed Redis and the SMTP relay live outside the deployment
        if workload.service == "gateway" and not external and settings.redis_url:
            host, port = host_port(settings.redis_url)
            assert port in reachable.get(host, set()), f"{workload.where}: Redis {settings.redis_url}"
        if workload.service == "notify" and not external:
            assert settings.smtp_port in reachable.get(settings.smtp_host, set()), f"{workload.where}: SMTP"
        if workload.service == "gateway":
            upstreams = upstream_targets(settings)
            assert set(upstreams) == set(BUILDING_BLOCKS)
            for block, targets in upstreams.items():
                for target in targets:
                    host, port = host_port(target)
                    assert host == block and port in reachable[host], (
                        f"{source}: upstream {block} -> {target}"
                    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_route_to_the_container_ports(overlay):
    objects = render(overlay)
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    for service in (o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] in SERVICES):
        container = deployments[service["metadata"]["name"]]["spec"]["template"]["spec"]["containers"][0]
        named = {p["name"]: p["containerPort"] for p in container["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in named
            assert port["port"] == named[port["targetPort"]], (
                "Service port = container port (upstreams use it)"
            )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_open_the_ports_the_processes_serve(overlay):
    objects = render(overlay)
    policies = {o["metadata"]["name"]: o["spec"] for o in objects if o["kind"] == "NetworkPolicy"}
    settings = {
        w.service: effective_settings(w) for w in k8s_workloads_of(overlay) if w.command[0] == "serve"
    }

    def ports(name: str, direction: str) -> set[int]:
        return {p["port"] for rule in policies[name][direction] for p in rule["ports"]}

    assert ports("gateway-ingress", "ingress") == {settings["gateway"].port, settings["gateway"].rest_port}
    grpc_ports = {settings[b].port for b in BUILDING_BLOCKS}
    assert ports("services-ingress-from-gateway", "ingress") == grpc_ports
    assert ports("gateway-egress-services", "egress") == grpc_ports
    identity = {settings["identity"].port, settings["identity"].http_port}
    assert ports("identity-ingress-jwks", "ingress") == identity == ports("egress-to-identity", "egress")
    assert ports("metrics-ingress-from-monitoring", "ingress") == {s.http_port for s in settings.values()}
    callbacks = {settings["payment"].http_port, settings["notify"].http_port}
    assert ports("callbacks-ingress-from-ingress-controller", "ingress") == callbacks


#: Secret settings a deployment may leave unset, each with the reason. Every other secret-typed setting of a
#: service must be provided (from a secret) wherever the service runs, so a secret added to a config.py fails
#: here until the deployments supply it or it is listed with its reason.
OPTIONAL_SECRETS = {
    ("identity", "client_secret_pepper"): "derived from the key-encryption key (HKDF) when unset",
    (
        "payment",
        "vnpay_hash_secret",
    ): "VNPay is offered only with a merchant contract (optional Secret in k8s)",
    ("notify", "smtp_username"): "relays that need no authentication (mailpit)",
    ("notify", "smtp_password"): "relays that need no authentication (mailpit)",
    # Every server has the runtime's proxy settings; only identity (the login throttle, the audit's source) and the
    # gateway use the caller's address, so the others never read forwarded headers.
    ("registry", "proxy_secret"): "does not use the caller's address",
    ("payment", "proxy_secret"): "does not use the caller's address",
    ("portal", "proxy_secret"): "a client of the gateway: it reads no forwarded headers",
    ("documents", "proxy_secret"): "does not use the caller's address",
    ("dossiers", "proxy_secret"): "does not use the caller's address",
    (
        "dossiers",
        "registry_client_secret",
    ): "prefill from the registry is optional (the operator's client for it)",
    ("notify", "proxy_secret"): "does not use the caller's address",
}


@pytest.mark.parametrize(
    ("source", "workload"),
    [(s, w) for s, w in WORKLOADS if w.command[0] == "serve"],
    ids=[i for i, (_, w) in zip(IDS, WORKLOADS, strict=True) if w.command[0] == "serve"],
)
def test_every_secret_setting_is_supplied_or_knowingly_optional(source, workload):
    cls = settings_class(workload.service)
    names = env_names(cls)
    provided = {names[k] for k in workload.env}
    for field in sorted(secret_typed_fields(cls) - provided):
        assert (workload.service, field) in OPTIONAL_SECRETS, f"{workload.where}: secret {field} not supplied"


def test_compose_secret_names_are_declared():
    declared = set(compose()["secrets"])
    for workload in compose_workloads():
        assert {p.removeprefix("/run/secrets/") for p in workload.secret_files} <= declared


# --- the checks above are not vacuous: each rejects a deliberately broken workload --------------------------------
def _compose_workload(service: str) -> Workload:
    return copy.deepcopy(next(w for w in compose_workloads() if w.command == ["serve", service]))


def test_checks_reject_broken_workloads(monkeypatch):
    from . import test_consistency as checks
    from .manifests import EnvValue

    unknown = _compose_workload("registry")
    unknown.env["LIENTHONG_REGISTRY_NO_SUCH_SETTING"] = EnvValue(literal="1")
    wrong_service = _compose_workload("registry")
    wrong_service.env["LIENTHONG_PAYMENT_PORT"] = EnvValue(literal="1")
    literal_secret = _compose_workload("registry")
    literal_secret.env.pop("LIENTHONG_REGISTRY_DATABASE_URL_FILE")
    literal_secret.env["LIENTHONG_REGISTRY_DATABASE_URL"] = EnvValue(literal="postgresql+asyncpg://r:pw@db/r")
    wrong_probe = _compose_workload("registry")
    wrong_probe.probes = [("grpc", 50063, "")]
    unmounted = _compose_workload("identity")
    unmounted.secret_files = set()
    for check, workload in [
        (checks.test_every_variable_is_read_by_that_services_settings, unknown),
        (checks.test_every_variable_is_read_by_that_services_settings, wrong_service),
        (checks.test_secrets_come_from_secret_stores, literal_secret),
        (checks.test_ports_and_probes_match_what_the_process_serves, wrong_probe),
        (checks.test_secrets_come_from_secret_stores, unmounted),
    ]:
        with pytest.raises(AssertionError):
            check("compose", workload)

    # A setting a service adds without a default (or a new secret) must be set by every deployment.
    real = settings_class("notify")
    needs = create_model("Needs", __base__=real, relay_token=(str, ...), api_secret=(SecretStr | None, None))
    monkeypatch.setattr(checks, "settings_class", lambda service: needs if service == "notify" else real)
    with pytest.raises(AssertionError, match="relay_token"):
        checks.test_every_required_setting_is_set("compose", _compose_workload("notify"))
    with pytest.raises(AssertionError, match="api_secret"):
        checks.test_every_secret_setting_is_supplied_or_knowingly_optional(
            "compose", _compose_workload("notify")
        )
