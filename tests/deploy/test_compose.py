"""The compose file: valid against the Compose Specification's JSON schema (the copy vendored by the
check-jsonschema package, Apache-2.0, see its builtin_schemas/vendor/licenses), and shaped as the operator
guide promises: migrations first, health checks, secrets from files, named volumes, hardened containers."""

from __future__ import annotations

import json
import re
import subprocess
from importlib import resources

import jsonschema
import pytest

from .manifests import COMPOSE_FILE, DEPLOY, IMAGE, compose, compose_workloads, interpolate

BLOCKS = ("identity", "registry", "payment", "notify", "documents", "dossiers")


def _schema() -> dict:
    vendor = resources.files("check_jsonschema") / "builtin_schemas" / "vendor"
    return json.loads((vendor / "compose-spec.json").read_text(encoding="utf-8"))


def test_compose_file_validates_against_the_compose_specification():
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(compose()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_schema_rejects_a_broken_file():
    """Guard against a validator that accepts anything (e.g. a schema that failed to load)."""
    broken = {**compose(), "services": {"x": {"image": "a", "depends_on": {"y": {"condition": "whenever"}}}}}
    assert list(jsonschema.Draft202012Validator(_schema()).iter_errors(broken))


def test_services_wait_for_their_migration_and_their_dependencies():
    services = compose()["services"]
    for block in BLOCKS:
        migrate = services[f"migrate-{block}"]
        assert migrate["command"] == ["migrate", block]
        assert migrate["restart"] == "no"
        assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
        depends = services[block]["depends_on"]
        assert depends[f"migrate-{block}"]["condition"] == "service_completed_successfully"
        assert depends["nats"]["condition"] == "service_healthy"
    for block in BLOCKS:
        assert services["gateway"]["depends_on"][block]["condition"] == "service_healthy"


def test_every_long_running_service_has_a_healthcheck():
    for name, svc in compose()["services"].items():
        if not name.startswith("migrate-"):
            assert svc.get("healthcheck", {}).get("test") or name == "mailpit", name


def test_platform_containers_are_hardened():
    workloads = {w.where for w in compose_workloads()}
    assert len(workloads) == 2 * len(BLOCKS) + 2  # each block and its migration, the gateway, the portal
    for name, svc in compose()["services"].items():
        if IMAGE not in interpolate(svc.get("image", "")):
            continue
        assert svc["user"] == "10001:10001", name
        assert svc["read_only"] is True, name
        assert any(t.startswith("/tmp") for t in svc["tmpfs"]), name
        assert svc["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in svc["security_opt"], name


def test_third_party_images_are_pinned():
    for name, svc in compose()["services"].items():
        image = interpolate(svc["image"])
        if IMAGE in image:
            continue
        assert "@sha256:" in image or (":" in image and not image.endswith(":latest")), name


def test_only_the_front_doors_are_published_beyond_loopback():
    services = compose()["services"]
    for name, svc in services.items():
        for spec in svc.get("ports", []):
            if name not in ("gateway", "edge"):
                assert str(spec).startswith("127.0.0.1:"), f"{name} publishes {spec} beyond loopback"
    for door in ("gateway", "edge"):
        assert interpolate(services[door]["ports"][0]).startswith("127.0.0.1:"), "opt-in to expose (README)"
    assert compose()["networks"]["backend"]["internal"] is True
    for name in ("postgres", "nats", *BLOCKS):
        assert "edge" not in services[name]["networks"], name


def test_secrets_are_files_and_the_generator_creates_every_one(tmp_path):
    secrets = compose()["secrets"]
    subprocess.run(
        ["sh", str(DEPLOY / "compose" / "make-secrets.sh"), str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    for name, spec in secrets.items():
        assert spec["file"] == f"./secrets/{name}", name
        created = tmp_path / name
        assert created.read_text().strip() and "CHANGE-ME" not in created.read_text(), name
        assert (COMPOSE_FILE.parent / "secrets.example" / name).exists(), f"template for {name}"
    ignore = (COMPOSE_FILE.parent / "secrets" / ".gitignore").read_text().split()
    assert ignore[:2] == ["*", "!.gitignore"], "generated secrets must never be committed"
    # The generator keeps what exists: re-running never rotates a database password behind PostgreSQL's back.
    before = {p.name: p.read_text() for p in tmp_path.iterdir()}
    subprocess.run(
        ["sh", str(DEPLOY / "compose" / "make-secrets.sh"), str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    assert before == {p.name: p.read_text() for p in tmp_path.iterdir()}


def test_named_volumes_are_declared():
    declared = set(compose()["volumes"])
    used = {
        v.split(":")[0]
        for svc in compose()["services"].values()
        for v in svc.get("volumes", [])
        if not v.startswith(".")
    }
    assert used == declared
    assert {"postgres-data", "nats-data"} <= declared


@pytest.mark.parametrize("path", ["compose/postgres/init-databases.sh", "k8s/overlays/dev/init-databases.sh"])
def test_database_init_script_is_one_script(path):
    """compose and the dev overlay create databases with the same script (kustomize cannot load files from
    outside the overlay, so the dev overlay holds a copy)."""
    assert (DEPLOY / path).read_bytes() == (DEPLOY / "compose/postgres/init-databases.sh").read_bytes()


def test_env_example_lists_exactly_what_compose_interpolates():
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{(\w+)", text))
    example = COMPOSE_FILE.parent / ".env.example"
    listed = {line.split("=", 1)[0] for line in example.read_text().splitlines() if line and line[0] != "#"}
    assert listed == used


def test_health_check_script_fails_when_nothing_serves():
    from .distributed import free_port, grpc_health_check

    target = f"127.0.0.1:{free_port()}"
    assert grpc_health_check.check(target, timeout=0.5) is False
    assert grpc_health_check.main(["grpc_health_check.py", target]) == 1
    assert grpc_health_check.main(["grpc_health_check.py"]) == 2
