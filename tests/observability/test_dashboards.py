"""Every query of every dashboard and alert reads a metric the platform exports, taken from the live /metrics of
every process of a running `lienthong dev`; and the committed dashboards are what the generator writes."""

from __future__ import annotations

import json

import pytest

from tests.dev_platform import start_dev
from tools import gen_dashboards

from .support import DASHBOARDS, SYNTHETIC, dashboard_exprs, exported_names, metric_names, rules, scrape

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> set[str]:
    dev = start_dev(tmp_path_factory.mktemp("obs-dev"))
    try:
        names: set[str] = set()
        for url in dev.metrics_urls().values():
            names |= exported_names(scrape(url))
    finally:
        assert dev.stop() == 0
    return names


def test_the_dashboards_are_generated_and_cover_every_block():
    assert gen_dashboards.main(["--check"]) == 0
    assert {p.stem for p in DASHBOARDS} == {
        "overview", "identity", "registry", "payment", "notify", "documents", "dossiers", "gateway", "portal"
    }  # fmt: skip
    for path in DASHBOARDS:
        data = json.loads(path.read_text())
        assert data["uid"] and data["panels"], path.name


def test_every_dashboard_query_names_an_exported_metric(exported):
    assert "lienthong_grpc_server_handled_total" in exported  # the scrape really read /metrics
    unknown = []
    for dashboard, title, expr in dashboard_exprs():
        names = metric_names(expr)
        assert names, (dashboard, title, expr)
        unknown += [(dashboard, title, n) for n in names - exported - SYNTHETIC]
    assert unknown == []


def test_every_rule_reads_exported_metrics_or_recorded_ones(exported):
    recorded = {r["record"] for r in rules() if "record" in r}
    unknown = []
    for rule in rules():
        names = metric_names(rule["expr"])
        assert names, rule
        # HAProxy's exporter (the edge front door) is not part of `lienthong dev`: tests/edge/test_refusal_metrics.py
        # reads those names from a live engine.
        engine = {n for n in names if n.startswith("haproxy_")}
        unknown += [
            (rule.get("alert") or rule["record"], n) for n in names - exported - SYNTHETIC - recorded - engine
        ]
    assert unknown == []


def test_the_name_reader_sees_through_promql():
    expr = (
        'sum by (service) (rate(lienthong_x_total{grpc_code=~"A|B"}[5m])) / on (instance) '
        "lienthong:ratio:rate5m > 0.9 * time() and up == 0"
    )
    assert metric_names(expr) == {"lienthong_x_total", "lienthong:ratio:rate5m", "up"}
