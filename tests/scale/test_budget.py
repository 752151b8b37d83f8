"""The connection budget (issue #18) is computed from the settings the processes read, through the same
numbers the composition roots size their pools with."""

from __future__ import annotations

import pytest

from lienthong_payment.bootstrap import pool_split
from lienthong_registry.adapters.replicas import MONITOR_POOL, READ_POOL
from lienthong_registry.bootstrap import database_connections
from lienthong_registry.bootstrap import load_settings as registry_settings
from lienthong_runtime.db import DEFAULT_MAX_OVERFLOW, DEFAULT_POOL_SIZE
from tools.capacity import budget


def test_registry_per_process_follows_its_settings() -> None:
    base = DEFAULT_POOL_SIZE + DEFAULT_MAX_OVERFLOW + READ_POOL["pool_size"] + READ_POOL["max_overflow"] + 1
    assert database_connections(registry_settings(db_pool_size=10)) == {"primary": base + 10}
    with_standbys = registry_settings(db_pool_size=10, read_replica_urls="postgresql://a/r,postgresql://b/r")
    reads = READ_POOL["pool_size"] + READ_POOL["max_overflow"] + 10
    assert database_connections(with_standbys) == {"primary": base + 10 + MONITOR_POOL, "standby": reads}


@pytest.mark.parametrize("size", [1, 2, 5, 30, 100])
def test_payment_never_opens_more_than_its_pool_setting(size: int) -> None:
    engine, hot = pool_split(size)
    assert engine >= 2 and hot >= 1
    assert engine + hot == max(size, 3)


def test_replicas_multiply_and_pgbouncer_caps_what_postgresql_sees(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIENTHONG_REGISTRY_DB_POOL_SIZE", "8")
    monkeypatch.setenv("LIENTHONG_PAYMENT_DATABASE_POOL_SIZE", "12")
    replicas = {"registry": 4, "payment": 3, "identity": 2, "notify": 2}
    settings = {name: budget.load(name) for name in replicas}
    lines, total = budget.budget(replicas, settings)
    per = {line.service: line.per_replica for line in lines}
    assert per["registry"] == database_connections(settings["registry"])["primary"]
    assert (
        per["payment"] == 12 and per["identity"] == per["notify"] == DEFAULT_POOL_SIZE + DEFAULT_MAX_OVERFLOW
    )
    clients = sum(per[name] * count for name, count in replicas.items())
    assert total == clients + budget.RESERVED
    pooled, pooled_total = budget.budget(replicas, settings, pgbouncer_pool=20, pgbouncers=2)
    assert [line.clients for line in pooled] == [line.clients for line in lines]
    assert all(line.server == min(line.clients, 40) for line in pooled)
    assert pooled_total == sum(min(line.clients, 40) for line in lines) + budget.RESERVED


def test_the_command_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert budget.main(["registry=2", "payment=1", "--pgbouncer-pool", "30"]) == 0
    out = capsys.readouterr().out
    assert "| registry | 2 |" in out and "max_connections" in out and "max_client_conn" in out
    with pytest.raises(SystemExit):
        budget.main(["nobody=2"])
