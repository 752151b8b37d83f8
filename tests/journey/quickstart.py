"""Runs ``examples/quickstart.py`` (the README's first call) as a user would, against a running ``lienthong dev``,
so the example cannot rot: its exit code and each numbered step it prints are checked."""

from __future__ import annotations

import ast
import asyncio
import re
import sys
from pathlib import Path

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart.py"
POLICY_FIELDS = {"full_name", "date_of_birth", "sex", "nationality"}  # what the example's policy allows


async def assert_quickstart_runs(gateway: str, credentials: Path) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(QUICKSTART),
        "--target",
        gateway,
        "--credentials",
        str(credentials),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=90)
    finally:
        if process.returncode is None:
            process.kill()
    text = output.decode()
    assert process.returncode == 0, f"examples/quickstart.py failed:\n{text}"
    steps = {line.split(".", 1)[0]: line for line in text.splitlines() if re.match(r"^[1-4]\. ", line)}
    assert set(steps) == {"1", "2", "3", "4"}, text
    assert set(ast.literal_eval(steps["1"].split(": ", 1)[1])) == POLICY_FIELDS, text
    personal_id = re.search(r"registered citizen (\d{12})$", steps["2"])
    assert personal_id, text
    disclosed = set(ast.literal_eval(steps["3"].split("disclosed ", 1)[1]))
    assert disclosed and disclosed <= POLICY_FIELDS, text  # never more than the policy allows
    reads = [line for line in text.splitlines() if line.startswith("4. ") and "ACCESS_ACTION_READ" in line]
    assert reads and "immigration.passport_application" in reads[0], text
    return text
