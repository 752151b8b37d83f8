"""A province developer's Node client, built from ``proto/`` alone (examples/node), against ``lienthong dev``:
the quickstart journey with a token from IssueToken and from POST /oauth2/token, and node's ``openid-client``
accepting the discovery document and obtaining a token from it.

The npm modules come from ``tools/system-deps.sh`` (``make test`` runs it); a checkout without them installs
them here with ``npm ci`` from the lock file."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .test_journey_embedded import embedded  # noqa: F401  (the `lienthong dev` fixture)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "node"


async def run(*args: str, cwd: Path = EXAMPLE, timeout: float = 60) -> str:
    process = await asyncio.create_subprocess_exec(
        *args, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=timeout)
    assert process.returncode == 0, f"{' '.join(args)} failed:\n{out.decode()}"
    return out.decode()


@pytest.fixture(scope="module")
def node_example() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm are not installed (tools/system-deps.sh installs them as root)")

    steps = [["npm", "run", "--silent", "build"]]
    if not (EXAMPLE / "node_modules" / "@grpc" / "grpc-js").exists():
        steps.insert(0, ["npm", "ci", "--no-audit", "--no-fund"])
    for step in steps:
        done = subprocess.run(step, cwd=EXAMPLE, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, f"{' '.join(step)} failed:\n{done.stdout}{done.stderr}"
    return EXAMPLE / "dist"


@pytest.mark.timeout(300)
async def test_node_client_runs_the_quickstart_and_openid_client_accepts_discovery(node_example, embedded):  # noqa: F811
    gateway, data_dir, offset = embedded
    credentials = str(data_dir / "demo-credentials.json")
    issuer = f"http://127.0.0.1:{8061 + offset}"  # `lienthong dev`'s issuer: identity's HTTP side
    quickstart = str(node_example / "quickstart.js")

    for extra, via in (((), "IssueToken"), (("--issuer", issuer), "POST /oauth2/token")):
        out = await run("node", quickstart, "--target", gateway, "--credentials", credentials, *extra)
        lines = out.splitlines()
        assert lines[0] == f"0. tokens via {via}"
        assert lines[1].startswith("1. policy for purpose immigration.passport_application")
        assert lines[2].startswith("2. registered citizen 0013")
        assert lines[3].endswith("disclosed full_name,date_of_birth,sex,nationality")
        assert any(line.startswith("4. access log") and "ACCESS_ACTION_READ" in line for line in lines)
        assert (
            lines[-1] == "5. refused: UNAUTHENTICATED reason TOKEN_MALFORMED"
        )  # decoded google.rpc.ErrorInfo

    out = await run(
        "node", str(node_example / "discover.js"), "--issuer", issuer, "--credentials", credentials
    )
    accepted = json.loads(out.splitlines()[-1])
    assert accepted["issuer"] == issuer
    assert accepted["token_endpoint"] == f"{issuer}/oauth2/token"
    assert accepted["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert accepted["token_type"].lower() == "bearer" and accepted["scope"] == "registry.citizens.read"
