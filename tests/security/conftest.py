"""The hostile suite's platforms: every test here runs once against ``lienthong dev`` (embedded) and once against
the multi-process platform (distributed), each started once per session; the table of attack classes, cases tried
and passed is printed at the end of the run."""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .platforms import Target, start_distributed, start_embedded
from .tally import TALLY


def _redis_url() -> str:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return "redis://127.0.0.1:6379/0"
    except OSError:
        return ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The first test on each platform also starts it (six processes and their databases): give every test here
    the start-up's time on top of its own, so a loaded machine does not turn a slow start into errors."""
    for item in items:
        if item.path.parent.name == "security" and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(360))


@pytest.fixture(scope="session", params=["embedded", "distributed"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    workdir = Path(tempfile.mkdtemp(prefix=f"lt-sec-{request.param}-"))
    if request.param == "embedded":
        platform = start_embedded(workdir)
    else:
        pg_server = request.getfixturevalue("pg_server")
        nats_url = request.getfixturevalue("nats_url")
        platform = start_distributed(workdir, pg_server, nats_url, _redis_url())
    try:
        yield platform
    finally:
        platform.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY.tried:
        terminalreporter.section("hostile suite: cases tried and passed per attack class")
        terminalreporter.write_line(TALLY.table())
