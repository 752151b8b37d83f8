"""The image recipe: base pinned by digest, non-root, read-only friendly, and the wheels it installs carry
everything a process needs at run time (migrations included). No container engine here, so the Dockerfile's
build step is reproduced with pip on a copy of the sources."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lienthong_cli.services import SERVICES

from .manifests import DEPLOY, REPO

DOCKERFILE = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")


def _instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [
        line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")
    ]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def test_base_image_is_pinned_by_digest_and_used_by_every_stage():
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.M)
    assert base and re.fullmatch(r"python:3\.11[\w.-]*-slim[\w.-]*@sha256:[0-9a-f]{64}", base.group(1))
    stages = [args for op, args in _instructions() if op == "FROM"]
    assert len(stages) == 2 and all(s.startswith("${PYTHON_IMAGE} AS ") for s in stages)


def test_runtime_stage_is_non_root_and_read_only_friendly():
    runtime = DOCKERFILE.split("AS runtime", 1)[1]
    assert "USER 10001:10001" in runtime
    for env in ("HOME=/tmp", "PYTHONDONTWRITEBYTECODE=1", "TMPDIR=/tmp"):
        assert env in runtime, env
    assert 'ENTRYPOINT ["lienthong"]' in runtime
    assert re.search(r'^CMD \["serve", "\w+"\]$', runtime, re.M)
    assert "COPY --from=builder /opt/lienthong /opt/lienthong" in runtime
    assert "pip install" not in runtime, "the runtime stage installs nothing from the network"
    # compose's health checks run this path (tests/deploy/manifests.py reads them)
    assert "COPY deploy/grpc_health_check.py /opt/lienthong/bin/grpc_health_check.py" in DOCKERFILE


def test_build_context_keeps_what_the_dockerfile_copies():
    ignored = [
        p.strip() for p in (REPO / ".dockerignore").read_text().splitlines() if p.strip()[:1] not in ("", "#")
    ]
    sources = [args.split()[0] for op, args in _instructions() if op == "COPY" and "--from" not in args]
    assert sources
    for source in sources:
        assert (REPO / source).exists(), source
        path = source.rstrip("/")
        assert not any(
            fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip("/") + "/")
            for pattern in ignored
        ), f"{source} is excluded by .dockerignore"
    for secret in ("deploy/compose/secrets", ".venv", "**/.git"):
        assert secret in ignored


@pytest.mark.slow
def test_platform_wheel_carries_every_service_and_its_migrations(tmp_path):
    source = tmp_path / "src"
    for part in ("runtime", "services", "gateway", "portal", "pyproject.toml"):
        copy = shutil.copytree if (REPO / part).is_dir() else shutil.copy
        copy(
            REPO / part,
            source / part,
            **(
                {"ignore": shutil.ignore_patterns("__pycache__", "*.egg-info", "build")}
                if (REPO / part).is_dir()
                else {}
            ),
        )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "wheels"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    wheel = next((tmp_path / "wheels").glob("lienthong_platform-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for entry in SERVICES.values():
        package = REPO / Path(*_source_dir(entry.package).parts)
        assert f"{entry.package}/bootstrap.py" in names
        if entry.package == "lienthong_portal":  # its pages: templates and stylesheet ship in the wheel
            assert {"lienthong_portal/templates/base.html", "lienthong_portal/static/portal.css"} <= names
        if entry.migrates:
            versions = sorted(p.name for p in (package / "migrations" / "versions").glob("*.py"))
            assert versions
            for name in ("env.py", "script.py.mako", *(f"versions/{v}" for v in versions)):
                assert f"{entry.package}/migrations/{name}" in names, f"{entry.package}: {name} missing"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "lienthong = lienthong_cli.main:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def _source_dir(package: str) -> Path:
    if package in ("lienthong_gateway", "lienthong_portal"):
        return Path(package.removeprefix("lienthong_"), package)
    return Path("services", package.removeprefix("lienthong_"), package)
