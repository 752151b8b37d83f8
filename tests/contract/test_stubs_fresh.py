"""The generated stubs in client/src/lienthong must match the .proto files (`make stubs` fixes it)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_stubs_are_fresh() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.gen_stubs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"stale stubs:\n{result.stdout}{result.stderr}"
