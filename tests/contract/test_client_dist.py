"""The client package installs on its own: a wheel whose only dependencies are grpcio, protobuf and
googleapis-common-protos (the contract's `google.api.http` options import ``google.api.annotations_pb2``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _uv() -> str:
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(uv).exists():
        pytest.skip("uv is not installed in this environment")
    return uv


@pytest.mark.slow
def test_wheel_installs_alone_and_imports(tmp_path):
    uv = _uv()
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(ROOT / "client")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next((tmp_path / "dist").glob("lienthong_client-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "lienthong/registry/v1/registry_pb2.pyi" in names and "lienthong/py.typed" in names
    requires = sorted(
        line.split(":", 1)[1].split(";")[0].strip().split(">")[0].split("<")[0].split("=")[0]
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    )
    assert requires == ["googleapis-common-protos", "grpcio", "protobuf"]

    venv = tmp_path / "venv"
    subprocess.run(
        [uv, "venv", "--python", sys.executable, str(venv)], check=True, capture_output=True, timeout=120
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [uv, "pip", "install", "--python", str(python), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = (
        "import lienthong.client, lienthong.identity.v1.identity_pb2_grpc, lienthong.registry.v1.registry_pb2_grpc,"
        " lienthong.payment.v1.payment_pb2_grpc, lienthong.notify.v1.notify_pb2_grpc; print('ok')"
    )
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr
    frozen = subprocess.run(
        [uv, "pip", "freeze", "--python", str(python)], capture_output=True, text=True, check=True
    ).stdout
    installed = sorted(line.split("==")[0].lower() for line in frozen.splitlines() if "==" in line)
    expected = {"googleapis-common-protos", "grpcio", "protobuf", "lienthong-client", "typing-extensions"}
    assert set(installed) <= expected, installed
