"""buf lint (STANDARD) and buf format must be clean on the contract."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROTO = Path(__file__).resolve().parents[2] / "proto"


def _buf() -> str:
    # Prefer the binary installed next to this interpreter (the buf-bin wheel), then PATH.
    beside = Path(sys.executable).parent / "buf"
    found = str(beside) if beside.exists() else shutil.which("buf")
    if found is None:
        pytest.skip("buf binary not found: install the dev extra (buf-bin) to lint the contract")
    return found


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_buf(), *args], cwd=PROTO, capture_output=True, text=True, timeout=120)


def test_buf_lint_is_clean() -> None:
    result = _run("lint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_buf_format_is_applied() -> None:
    result = _run("format", "--diff", "--exit-code")
    assert result.returncode == 0, "run `buf format -w` in proto/:\n" + result.stdout + result.stderr
