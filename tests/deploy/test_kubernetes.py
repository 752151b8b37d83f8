"""The Kubernetes manifests: every overlay renders with kustomize, every object validates offline against the
API schemas of the targeted Kubernetes version, and the workloads carry the hardening the platform promises."""

from __future__ import annotations

import base64
import importlib.util

import kubernetes_validate
import pytest

from lienthong_cli.services import SERVICES

from .manifests import IMAGE, K8S, K8S_VERSION, OVERLAYS, pod_spec, render


def _pod_specs(overlay: str):
    for obj in render(overlay):
        pod = pod_spec(obj)
        if pod is not None:
            yield obj, pod


#: Services whose tables are partitioned by month (``<package>.adapters.partitions``): each needs its monthly job.
PARTITIONED_SERVICES = sorted(
    name
    for name, entry in SERVICES.items()
    if entry.migrates and importlib.util.find_spec(f"{entry.package}.adapters.partitions") is not None
)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_partitions_are_created_ahead_every_month(overlay):
    jobs = {o["metadata"]["name"]: o for o in render(overlay) if o["kind"] == "CronJob"}
    assert PARTITIONED_SERVICES
    for service in PARTITIONED_SERVICES:
        job = jobs[f"partitions-{service}"]
        day, month, weekday = job["spec"]["schedule"].split()[2:]
        assert (day, month, weekday) == ("1", "*", "*"), "monthly, on the first"
        container = pod_spec(job)["containers"][0]
        assert container["args"][:3] == ["partitions", service, "create"]
        assert int(container["args"][container["args"].index("--ahead") + 1]) >= 2
        assert job["spec"]["concurrencyPolicy"] == "Forbid"


def test_overlays_exist():
    assert set(OVERLAYS) >= {"dev", "prod"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_validates_against_the_api_schema(overlay):
    objects = render(overlay)
    assert len(objects) > 20
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            pytest.fail(f"{overlay}: {obj['kind']}/{obj['metadata']['name']} at {path}: {exc.message}")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_its_objects(overlay):
    kinds: dict[str, set[str]] = {}
    for obj in render(overlay):
        kinds.setdefault(obj["kind"], set()).add(obj["metadata"]["name"])
    workloads = {"identity", "registry", "payment", "notify", "gateway"}
    for kind in ("Deployment", "Service", "ServiceAccount", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert workloads <= kinds[kind], kind
    assert {f"migrate-{s}" for s in workloads - {"gateway"}} <= kinds["Job"]
    assert {"default-deny-all", "gateway-ingress"} <= kinds["NetworkPolicy"]
    assert {f"partitions-{s}" for s in PARTITIONED_SERVICES} <= kinds["CronJob"]
    assert all(obj["metadata"].get("namespace") for obj in render(overlay) if obj["kind"] != "Namespace")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_run_restricted(overlay):
    for obj, pod in _pod_specs(overlay):
        name = f"{overlay}: {obj['kind']}/{obj['metadata']['name']}"
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert pod.get("automountServiceAccountToken") is False, name
        for c in pod["containers"]:
            ctx = c["securityContext"]
            assert ctx["allowPrivilegeEscalation"] is False, name
            assert ctx["readOnlyRootFilesystem"] is True, name
            assert ctx["capabilities"]["drop"] == ["ALL"], name
            assert "add" not in ctx["capabilities"], name
            assert c["resources"]["requests"] and c["resources"]["limits"], name
            assert "@sha256:" in c["image"] or ":" in c["image"].rsplit("/", 1)[-1], f"{name}: untagged image"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_platform_pods_have_tmp_and_probes_and_spread(overlay):
    for obj, pod in _pod_specs(overlay):
        container = pod["containers"][0]
        if IMAGE not in container["image"]:
            continue
        name = f"{overlay}: {obj['kind']}/{obj['metadata']['name']}"
        assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"]), f"{name}: /tmp for HOME"
        assert pod["securityContext"]["runAsUser"] == 10001, name
        if obj["kind"] != "Deployment":
            continue
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert probe in container, f"{name}: {probe}"
        keys = {t["topologyKey"] for t in pod["topologySpreadConstraints"]}
        assert keys == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_liveness_of_the_blocks_does_not_wait_for_identity(overlay):
    """Startup and liveness ask the ``liveness`` health service; readiness the overall status, which is
    NOT_SERVING while a block has no signing keys (identity outage): kept out of rotation, never restarted."""
    for obj, pod in _pod_specs(overlay):
        container = pod["containers"][0]
        if (
            obj["kind"] != "Deployment"
            or obj["metadata"]["name"] == "gateway"
            or IMAGE not in container["image"]
        ):
            continue
        for probe in ("startupProbe", "livenessProbe"):
            assert container[probe]["grpc"].get("service") == "liveness", (
                f"{obj['metadata']['name']}: {probe}"
            )
        assert not container["readinessProbe"]["grpc"].get("service"), obj["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscaling_and_disruption_budgets_target_the_deployments(overlay):
    objects = render(overlay)
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    for hpa in (o for o in objects if o["kind"] == "HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        assert ref["kind"] == "Deployment" and ref["name"] in deployments
        assert "replicas" not in deployments[ref["name"]]["spec"], "the HPA owns the replica count"
        expected = 1 if overlay == "dev" else 3
        assert hpa["spec"]["minReplicas"] == expected
    workloads = deployments | {o["metadata"]["name"]: o for o in objects if o["kind"] == "StatefulSet"}
    for pdb in (o for o in objects if o["kind"] == "PodDisruptionBudget"):
        labels = workloads[pdb["metadata"]["name"]]["spec"]["template"]["metadata"]["labels"]
        assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_generated_only_in_dev(overlay):
    secrets = [o for o in render(overlay) if o["kind"] == "Secret"]
    if overlay == "dev":
        assert secrets
        for secret in secrets:
            for key, value in secret.get("data", {}).items():
                assert _obviously_dev(base64.b64decode(value).decode()), f"{secret['metadata']['name']}/{key}"
    else:
        assert secrets == [], "production secrets are created by the operator, never rendered from the repo"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_front_doors_accept_traffic_from_anywhere(overlay):
    public = {"gateway": [50051, 8080], "edge": [50050]}  # gRPC and the REST face; the engine
    for policy in (o for o in render(overlay) if o["kind"] == "NetworkPolicy"):
        for rule in policy["spec"].get("ingress", []):
            if "from" not in rule:
                name = policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                assert [p["port"] for p in rule["ports"]] == public[name]


def _obviously_dev(text: str) -> bool:
    """'dev-only' in the value, or in the base64 key material it carries (``kid:base64`` or bare base64)."""
    if "dev-only" in text:
        return True
    try:
        material = text.rsplit(":", 1)[-1]
        return b"dev-only" in base64.urlsafe_b64decode(material + "=" * (-len(material) % 4))
    except ValueError:
        return False


def test_every_secret_the_manifests_reference_is_documented():
    """Production Secrets are created by the operator, so each name must be in the operator guide."""
    guide = (K8S.parent / "README.md").read_text(encoding="utf-8")
    for overlay in OVERLAYS:
        for obj, pod in _pod_specs(overlay):
            names = {v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v}
            for c in pod["containers"]:
                for item in c.get("env", []):
                    ref = item.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        names.add(ref["name"])
            generated = {o["metadata"]["name"] for o in render(overlay) if o["kind"] == "Secret"}
            for name in names - generated:
                assert f"`{name}`" in guide, (
                    f"{overlay}: {obj['metadata']['name']} uses undocumented Secret {name}"
                )


def _references(pod: dict) -> set[tuple[str, str]]:
    """(kind, name) of every ConfigMap and Secret a pod needs (optional references excluded)."""
    found: set[tuple[str, str]] = set()
    for volume in pod.get("volumes", []):
        if "secret" in volume:
            found.add(("Secret", volume["secret"]["secretName"]))
        if "configMap" in volume:
            found.add(("ConfigMap", volume["configMap"]["name"]))
        for source in volume.get("projected", {}).get("sources", []):
            for kind, key in (("Secret", "secret"), ("ConfigMap", "configMap")):
                if key in source:
                    found.add((kind, source[key]["name"]))
    for container in pod["containers"]:
        for ref in container.get("envFrom", []):
            if "configMapRef" in ref:
                found.add(("ConfigMap", ref["configMapRef"]["name"]))
        for item in container.get("env", []):
            for kind, key in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                ref = item.get("valueFrom", {}).get(key)
                if ref and not ref.get("optional"):
                    found.add((kind, ref["name"]))
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_referenced_configmaps_and_secrets_exist(overlay):
    """dev is self-contained; prod renders every ConfigMap and leaves only the documented Secrets out."""
    rendered = {(o["kind"], o["metadata"]["name"]) for o in render(overlay)}
    for obj, pod in _pod_specs(overlay):
        for kind, name in _references(pod):
            if overlay == "prod" and kind == "Secret":
                continue  # created by the operator: test_every_secret_the_manifests_reference_is_documented
            assert (kind, name) in rendered, f"{overlay}: {obj['metadata']['name']} needs {kind} {name}"
