"""The connection budget written in ``deploy/README.md`` is the one the settings give: every number of its
paragraph and table is recomputed here by ``tools.capacity.budget`` from the default settings (the numbers the
composition roots size their pools with), so a pool that grows without the documentation fails this test."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from lienthong_registry.adapters.replicas import MONITOR_POOL, READ_POOL
from lienthong_runtime.db import DEFAULT_MAX_OVERFLOW, DEFAULT_POOL_SIZE
from tools.capacity import budget

ROOT = Path(__file__).resolve().parents[2]


def _section() -> str:
    text = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    start = text.index("- PostgreSQL connections grow with replicas")
    return " ".join(text[start : text.index("(compose and the dev overlay", start)].split())


def _number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, f"deploy/README.md no longer says {pattern!r}"
    return int(found.group(1).replace(",", ""))


def _prod_max_replicas() -> int:
    docs = yaml.safe_load((ROOT / "deploy/k8s/overlays/prod/kustomization.yaml").read_text(encoding="utf-8"))
    for patch in docs.get("patches", []):
        if patch.get("target", {}).get("kind") == "HorizontalPodAutoscaler":
            for op in yaml.safe_load(patch["patch"]):
                if op["path"] == "/spec/maxReplicas":
                    return int(op["value"])
    raise AssertionError("the prod overlay sets no maxReplicas")


def test_every_block_with_a_database_is_in_the_budget() -> None:
    from lienthong_cli.services import BUILDING_BLOCKS, SERVICES

    assert set(budget.SERVICES) == {name for name in BUILDING_BLOCKS if SERVICES[name].migrates}


def test_per_process_numbers_are_the_settings() -> None:
    text = _section()
    per = {s: budget.connections_per_replica(s, budget.load(s))["primary"] for s in budget.SERVICES}
    engine = DEFAULT_POOL_SIZE + DEFAULT_MAX_OVERFLOW
    assert _number(r"identity, notify, documents and dossiers (\d+) each", text) == per["identity"] == engine
    assert per["notify"] == per["documents"] == per["dossiers"] == engine
    assert _number(r"\((?:the runtime's engine, )?(\d+) \+ \d+ overflow\)", text) == DEFAULT_POOL_SIZE
    assert _number(r"payment (\d+) \(`LIENTHONG_PAYMENT_DATABASE_POOL_SIZE`", text) == per["payment"]
    registry = budget.load("registry")
    assert _number(r"registry (\d+) \(its write engine", text) == per["registry"]
    assert _number(r"its write engine (\d+)", text) == engine
    assert _number(r"read engine (\d+)", text) == READ_POOL["pool_size"] + READ_POOL["max_overflow"]
    assert _number(r"`LIENTHONG_REGISTRY_DB_POOL_SIZE` (\d+)", text) == registry.db_pool_size
    reads = READ_POOL["pool_size"] + READ_POOL["max_overflow"]
    assert (
        _number(r"access-log writer (\d+)", text) == per["registry"] - engine - reads - registry.db_pool_size
    )
    assert _number(r"plus (\d+) on the primary", text) == MONITOR_POOL
    assert _number(r"and (\d+) \+ `DB_POOL_SIZE` on each standby", text) == (
        READ_POOL["pool_size"] + READ_POOL["max_overflow"]
    )


def test_the_table_is_the_budget_at_the_prod_overlay_s_max_replicas() -> None:
    text = _section()
    replicas = _number(r"at maxReplicas (\d+) each \(prod overlay\)", text)
    assert replicas == _prod_max_replicas()
    settings = {s: budget.load(s) for s in budget.SERVICES}
    lines, total = budget.budget(dict.fromkeys(budget.SERVICES, replicas), settings)
    clients = sum(line.clients for line in lines)
    row = re.search(
        r"\| no pooler \| (\d+) × \(([\d + ]+)\) = ([\d,]+) \| ([\d,]+) \+ (\d+) reserved = ([\d,]+)", text
    )
    assert row, "the table's no-pooler row changed shape"
    assert int(row.group(1)) == replicas
    assert sorted(int(n) for n in row.group(2).split("+")) == sorted(line.per_replica for line in lines)
    assert int(row.group(3).replace(",", "")) == clients
    assert int(row.group(4).replace(",", "")) == clients and int(row.group(5)) == budget.RESERVED
    assert int(row.group(6).replace(",", "")) == total
    pool = _number(r"`default_pool_size` (\d+), 2 instances", text)
    _, pooled_total = budget.budget(
        dict.fromkeys(budget.SERVICES, replicas), settings, pgbouncer_pool=pool, pgbouncers=2
    )
    assert _number(r"`max_client_conn` ≥ ([\d,]+) each", text) == -(-clients // 2)
    bouncer = re.search(r"(\d+) databases × (\d+) \+ (\d+) = ([\d,]+)", text)
    assert bouncer, "the table's PgBouncer row changed shape"
    assert int(bouncer.group(1)) == len(budget.SERVICES)
    assert int(bouncer.group(2)) == pool * 2 and int(bouncer.group(3)) == budget.RESERVED
    assert int(bouncer.group(4).replace(",", "")) == pooled_total


def test_the_commands_shown_print_the_documented_totals(capsys) -> None:  # type: ignore[no-untyped-def]
    text = _section()
    command = re.search(r"python -m tools\.capacity\.budget ((?:\w+=\d+ ?)+)# no pooler", text)
    assert command, "the documented budget command changed shape"
    assert budget.main(command.group(1).split()) == 0
    printed = capsys.readouterr().out
    documented = _number(r"reserved = ([\d,]+)", text)
    assert f"at least {documented} " in printed
