"""A real database outage makes the "database unavailable" alert fire: identity runs against a PostgreSQL of the
test's own, the test stops that server, reads lienthong_database_up from identity's live /metrics before and
during the outage, and promtool evaluates the alerting rule over exactly those samples."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from lienthong_identity import bootstrap as identity
from lienthong_runtime import migrations
from lienthong_runtime.server import Server

from .support import RULES, promtool, rules, sample, scrape
from .throwaway_pg import ThrowawayPostgres

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
ALERT = "LienThongDatabaseUnavailable"
SERIES = {"service": "identity"}


@pytest.fixture
def database():
    server = ThrowawayPostgres()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


async def _up(url: str) -> float | None:
    return sample(await asyncio.to_thread(scrape, url), "lienthong_database_up", SERIES)


async def _wait_for(url: str, value: float, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while await _up(url) != value:
        assert asyncio.get_running_loop().time() < deadline, f"lienthong_database_up never became {value}"
        await asyncio.sleep(0.2)


def _rendered(annotations: dict[str, str], labels: dict[str, str]) -> dict[str, str]:
    """The rule's annotations with ``{{ $labels.x }}`` filled in, as Prometheus renders them."""
    return {
        k: re.sub(r"\{\{\s*\$labels\.(\w+)\s*\}\}", lambda m: labels[m.group(1)], v)
        for k, v in annotations.items()
    }


async def test_a_database_outage_fires_the_database_unavailable_alert(database, tmp_path: Path):
    await migrations.upgrade_async("lienthong_identity", database.url, "identity")
    settings = identity.load_settings(
        database_url=database.url,
        port=-1,
        unix_socket=str(tmp_path / "identity.sock"),
        http_port=0,
        http_host="127.0.0.1",
        dev_mode=True,
        data_dir=str(tmp_path),
        bus_url=f"memory://outage-{id(tmp_path)}",
        database_probe_interval=0.5,
    )
    server = Server(await identity.build(settings))
    await server.start()
    try:
        url = f"http://127.0.0.1:{server.http_port}/metrics"
        await _wait_for(url, 1.0)
        before = [await _up(url) for _ in range(2)]

        await asyncio.to_thread(database.stop)
        await _wait_for(url, 0.0)
        during = []
        for _ in range(7):  # one scrape per 15 s step of the rule test: the outage lasts 1 min 45 s there
            during.append(await _up(url))
            await asyncio.sleep(0.3)
        assert before == [1.0, 1.0] and during == [0.0] * 7

        await asyncio.to_thread(database.start)
        await _wait_for(url, 1.0)  # and it recovers without a restart
    finally:
        await server.stop(0)

    labels = {**SERIES, "job": "lienthong", "instance": "identity:8061"}
    rule = next(r for r in rules() if r.get("alert") == ALERT)
    series = "lienthong_database_up{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
    values = " ".join(f"{v:g}" for v in before + during)
    test = {
        "rule_files": [str(RULES)],
        "evaluation_interval": "15s",
        "tests": [
            {
                "interval": "15s",
                "input_series": [{"series": series, "values": values}],
                "alert_rule_test": [
                    {"eval_time": "15s", "alertname": ALERT, "exp_alerts": []},  # healthy: nothing
                    {
                        "eval_time": "45s",
                        "alertname": ALERT,
                        "exp_alerts": [],
                    },  # down, but for less than 1 min
                    {
                        "eval_time": "105s",
                        "alertname": ALERT,
                        "exp_alerts": [
                            {
                                "exp_labels": {**labels, **rule["labels"]},
                                "exp_annotations": _rendered(rule["annotations"], labels),
                            }
                        ],
                    },
                ],
            }
        ],
    }
    path = tmp_path / "database-outage.test.yml"
    path.write_text(yaml.safe_dump(test, allow_unicode=True))
    result = subprocess.run([promtool(), "test", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, values + "\n" + result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
