"""The event modules can each be imported first (events <-> memory_bus/nats_bus/relay was a cycle: importing relay
or memory_bus first failed half-initialised). tests/contract/test_import_cycles.py keeps every cycle out; this
shows the symptom is gone."""

from __future__ import annotations

import subprocess
import sys

# One interpreter: for each module, forget every runtime module, then import that one first.
SCRIPT = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "lienthong_runtime" or m.startswith("lienthong_runtime.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
"""


MODULES = ("relay", "memory_bus", "nats_bus", "nats_operations", "bus", "events", "uow", "identity_events")


def test_each_event_module_imports_first():
    names = [f"lienthong_runtime.{m}" for m in MODULES]
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *names], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "", result.stdout
