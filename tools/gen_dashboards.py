"""Generate the Grafana dashboards of deploy/observability/grafana/dashboards from one description.

    python -m tools.gen_dashboards          # write the JSON files
    python -m tools.gen_dashboards --check  # fail if a committed file differs (tests/observability runs it)

One overview and one dashboard per building block; every query reads a metric the platform exports (checked
against a live /metrics by tests/observability/test_dashboards.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "deploy" / "observability" / "grafana" / "dashboards"
RATE = "[$__rate_interval]"
DS = {"type": "prometheus", "uid": "${datasource}"}


def panel(title: str, targets: list[tuple[str, str]], unit: str = "short", kind: str = "timeseries") -> dict:
    return {
        "type": kind,
        "title": title,
        "datasource": DS,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}} if kind == "timeseries" else {},
        "targets": [
            {"refId": chr(65 + i), "datasource": DS, "expr": expr, "legendFormat": legend}
            for i, (expr, legend) in enumerate(targets)
        ],
    }


def quantiles(selector: str, by: str) -> list[tuple[str, str]]:
    legend = " ".join("{{" + label.strip() + "}}" for label in by.split(","))
    return [
        (
            f"histogram_quantile({q}, sum by ({by}, le) "
            f"(rate(lienthong_grpc_server_handling_seconds_bucket{{{selector}}}{RATE})))",
            f"p{round(q * 100)} {legend}",
        )
        for q in (0.5, 0.95, 0.99)
    ]


def rpc_panels(service: str) -> list[dict]:
    sel = f'service="{service}"'
    return [
        panel(
            "Requests per second by method",
            [
                (
                    f"sum by (grpc_method) (rate(lienthong_grpc_server_handled_total{{{sel}}}{RATE}))",
                    "{{grpc_method}}",
                )
            ],
            "reqps",
        ),
        panel(
            "Errors by code and method",
            [
                (
                    "sum by (grpc_code, grpc_method) "
                    f'(rate(lienthong_grpc_server_handled_total{{{sel},grpc_code!="OK"}}{RATE}))',
                    "{{grpc_code}} {{grpc_method}}",
                )
            ],
            "reqps",
        ),
        panel("Latency percentiles by method", quantiles(sel, "grpc_method"), "s"),
    ]


def storage_panels(service: str) -> list[dict]:
    sel = f'service="{service}"'
    return [
        panel(
            "Database reachable (probe)",
            [
                (f"min(lienthong_database_up{{{sel}}})", "up"),
                (f"max(lienthong_database_probe_seconds{{{sel}}})", "probe seconds"),
            ],
        ),
        panel(
            "Outbox backlog and publish rate",
            [
                (f"sum(lienthong_outbox_pending_events{{{sel}}})", "waiting"),
                (f"sum(rate(lienthong_outbox_published_total{{{sel}}}{RATE}))", "published/s"),
                (f"sum(rate(lienthong_outbox_publish_failures_total{{{sel}}}{RATE}))", "failed passes/s"),
            ],
        ),
    ]


def consumer_panels(prefix: str) -> list[dict]:
    sel = f'consumer=~"{prefix}.*"'
    return [
        panel(
            "Bus consumer lag",
            [(f"max by (consumer) (lienthong_bus_consumer_pending_events{{{sel}}})", "{{consumer}}")],
        ),
        panel(
            "Event handling by outcome",
            [
                (
                    f"sum by (consumer, outcome) (rate(lienthong_bus_events_handled_total{{{sel}}}{RATE}))",
                    "{{consumer}} {{outcome}}",
                )
            ],
            "ops",
        ),
    ]


OVERVIEW = [
    panel(
        "Requests per second by building block",
        [(f"sum by (service) (rate(lienthong_grpc_server_handled_total{RATE}))", "{{service}}")],
        "reqps",
    ),
    panel(
        "Errors by code",
        [
            (
                f'sum by (grpc_code) (rate(lienthong_grpc_server_handled_total{{grpc_code!="OK"}}{RATE}))',
                "{{grpc_code}}",
            )
        ],
        "reqps",
    ),
    panel("Latency percentiles by building block", quantiles("", "service"), "s"),
    panel(
        "p99 latency by building block and method",
        [
            (
                "histogram_quantile(0.99, sum by (service, grpc_method, le) "
                f"(rate(lienthong_grpc_server_handling_seconds_bucket{RATE})))",
                "{{service}} {{grpc_method}}",
            )
        ],
        "s",
    ),
    panel("Outbox backlog", [("sum by (service) (lienthong_outbox_pending_events)", "{{service}}")]),
    panel(
        "Bus consumer lag", [("max by (consumer) (lienthong_bus_consumer_pending_events)", "{{consumer}}")]
    ),
    panel(
        "Dead letters (last hour)",
        [
            (
                'sum by (consumer) (increase(lienthong_bus_events_handled_total{outcome="dead_letter"}[1h]))',
                "{{consumer}}",
            )
        ],
    ),
    panel("Notification queue depth", [("sum(lienthong_notify_queue_depth)", "queued")]),
    panel(
        "Notification deliveries by outcome",
        [
            (
                f"sum by (channel, outcome) (rate(lienthong_notify_deliveries_total{RATE}))",
                "{{channel}} {{outcome}}",
            )
        ],
        "ops",
    ),
    panel(
        "Payments entering each state (last hour)",
        [("sum by (state) (increase(lienthong_payment_transitions_total[1h]))", "{{state}}")],
    ),
    panel(
        "Front door refusals by reason",
        [(f"sum by (reason) (rate(lienthong_front_door_refusals_total{RATE}))", "{{reason}}")],
        "reqps",
    ),
    panel("Databases reachable", [("min by (service) (lienthong_database_up)", "{{service}}")]),
]

BLOCKS: dict[str, list[dict]] = {
    "identity": [
        *rpc_panels("identity"),
        *storage_panels("identity"),
        panel(
            "Signing keys",
            [
                (
                    "time() - max(lienthong_identity_signing_key_activated_timestamp_seconds)",
                    "current key age",
                ),
                ("max(lienthong_identity_signing_key_rotation_interval_seconds)", "rotation interval"),
            ],
            "s",
        ),
        panel("Signing keys by state", [("max by (state) (lienthong_identity_signing_keys)", "{{state}}")]),
    ],
    "registry": [*rpc_panels("registry"), *storage_panels("registry")],
    "payment": [
        *rpc_panels("payment"),
        *storage_panels("payment"),
        panel(
            "Payments entering each state",
            [(f"sum by (state) (rate(lienthong_payment_transitions_total{RATE}))", "{{state}}")],
            "ops",
        ),
    ],
    "notify": [
        *rpc_panels("notify"),
        *storage_panels("notify"),
        panel("Delivery queue depth", [("sum(lienthong_notify_queue_depth)", "queued")]),
        panel(
            "Deliveries by channel and outcome",
            [
                (
                    f"sum by (channel, outcome) (rate(lienthong_notify_deliveries_total{RATE}))",
                    "{{channel}} {{outcome}}",
                )
            ],
            "ops",
        ),
        *consumer_panels("notify"),
    ],
    "documents": [*rpc_panels("documents"), *storage_panels("documents"), *consumer_panels("documents")],
    "dossiers": [
        *rpc_panels("dossiers"),
        panel(
            "Open dossier parts past their legal deadline, by agency",
            [("max by (agency) (lienthong_dossiers_open_late_parts)", "{{agency}}")],
        ),
        *storage_panels("dossiers"),
        *consumer_panels("dossiers"),
    ],
    "gateway": [
        *rpc_panels("gateway"),
        panel(
            "Refusals by reason",
            [(f"sum by (reason) (rate(lienthong_front_door_refusals_total{RATE}))", "{{reason}}")],
            "reqps",
        ),
        panel(
            "TLS certificate expiry",
            [
                (
                    "min by (service) (lienthong_tls_certificate_expiry_timestamp_seconds) - time()",
                    "{{service}}",
                )
            ],
            "s",
        ),
    ],
    "portal": [
        panel(
            "Citizen sign-ins by outcome",
            [(f"sum by (outcome) (rate(lienthong_portal_logins_total{RATE}))", "{{outcome}}")],
            "ops",
        ),
        panel(
            "Refused requests by reason",
            [(f"sum by (reason) (rate(lienthong_portal_refusals_total{RATE}))", "{{reason}}")],
            "ops",
        ),
    ],
}


def dashboard(uid: str, title: str, panels: list[dict]) -> dict[str, Any]:
    laid = []
    for i, p in enumerate(panels):
        laid.append({**p, "id": i + 1, "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)}})
    return {
        "uid": uid,
        "title": title,
        "tags": ["lienthong"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Data source"}
            ]
        },
        "links": [{"title": "Runbooks", "url": "deploy/README.md#runbooks", "type": "link"}],
        "panels": laid,
    }


def dashboards() -> dict[str, dict[str, Any]]:
    out = {"overview.json": dashboard("lienthong-overview", "Liên Thông — overview", OVERVIEW)}
    for block, panels in BLOCKS.items():
        out[f"{block}.json"] = dashboard(f"lienthong-{block}", f"Liên Thông — {block}", panels)
    return out


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed dashboards are stale")
    args = parser.parse_args(argv)
    stale = []
    for name, data in dashboards().items():
        path = OUT / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != render(data):
                stale.append(name)
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(render(data), encoding="utf-8")
    if stale:
        print("stale dashboards (run python -m tools.gen_dashboards):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
