"""The capacity model of docs/CAPACITY.md, recomputed from a ``make bench --json`` file (issue #18).

    python -m tools.capacity.model bench/results/latest.json [MORE.json ...] [--assume peak_calls_per_s=30000 ...]
        [--write FILE]

Measured figures (CPU per call, bytes per stored object) come from the bench file, each named by the scenario
row it was read from (with several bench files, the first file's row wins); the assumptions (population, peak,
call mix, growth, headroom) are listed in :data:`ASSUMPTIONS` and printed with the tables, and any of them can be
changed with ``--assume``. ``--write`` replaces the generated part of FILE (between the
``capacity:begin``/``capacity:end`` markers).
"""

from __future__ import annotations

import argparse
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BEGIN, END = "<!-- capacity:begin -->", "<!-- capacity:end -->"

#: name -> (value, what it means). Every derived figure below is a function of these and of the bench rows.
ASSUMPTIONS: dict[str, tuple[float, str]] = {
    "province_population": (3_000_000, "citizens of one province (records in its share of the registry)"),
    "nation_population": (100_000_000, "citizens of the nation (registry records)"),
    "peak_calls_per_s": (20_000, "national peak through the front door, calls/s"),
    "province_share": (0.03, "one province's share of the national peak"),
    "mean_to_peak": (0.15, "average load over a year as a fraction of the peak"),
    "mix_registry_read": (0.60, "share of calls that are registry reads, verifications and searches"),
    "mix_token": (
        0.05,
        "share of calls that issue a token at identity (clients reuse a token until it expires)",
    ),
    "mix_payment": (0.05, "share of calls that are payment RPCs (a payment is 2 RPCs)"),
    "mix_notification": (0.10, "share of calls that send a notification"),
    "mix_document": (
        0.001,
        "share of calls that send an official document between agencies (2 RPCs each; about 47 million documents "
        "a year at the other defaults)",
    ),
    "mix_dossier": (
        0.0005,
        "share of calls that file a citizen's dossier for a public service (one FileDossier each; about 47 million "
        "dossiers a year at the other defaults)",
    ),
    "mix_other": (
        0.1985,
        "other calls, priced as a registry read (CPU and an access-log entry): conservative",
    ),
    "cpu_target": (0.6, "CPU utilisation a pod is planned at (headroom for bursts and a lost zone)"),
    "cores_per_pod": (2.0, "CPU limit per pod (deploy/k8s/overlays/prod: 2 cores)"),
    "min_pods": (3.0, "least pods per workload (prod overlay HPA minReplicas)"),
    "db_copies": (3.0, "PostgreSQL copies of every byte (primary + 2 standbys)"),
    "record_versions": (1.5, "versions per citizen record kept (history) relative to the import's one"),
    "event_bytes": (1024.0, "bytes per stored event in JetStream (envelope + headers; not measured)"),
    "events_per_call": (0.15, "events published per front-door call (writes, payments, notifications)"),
    "nats_retention_days": (7.0, "event stream max_age (runtime default)"),
    "nats_replicas": (3.0, "JetStream stream replicas (R3)"),
}

#: Bench rows the model reads: key -> (row name pattern, field or metric, what it is).
MEASURES: dict[str, tuple[str, str, str]] = {
    "echo_cpu": (r"^echo baseline", "cpu_us_per_call", "bare grpc.aio echo, CPU us per call"),
    "registry_read_cpu": (
        r"^registry GetCitizen \(c=",
        "cpu_us_per_call",
        "registry GetCitizen, CPU us per call",
    ),
    "payment_cpu": (
        r"^payment create\+complete",
        "cpu_us_per_call",
        "payment create+start, CPU us per payment",
    ),
    "notify_accept_cpu": (r"^notify SendEmail \(new", "cpu_us_per_call", "notify SendEmail, CPU us per call"),
    "notify_deliver_cpu": (
        r"^notify accepted->delivered",
        "cpu_us_per_call",
        "notify worker, CPU us per mail",
    ),
    "token_cpu": (r"^identity IssueToken", "cpu_us_per_call", "identity IssueToken, CPU us per token"),
    "document_cpu": (
        r"^documents: send",
        "cpu_us_per_call",
        "documents upload+send (4 KiB attachment), CPU us per document",
    ),
    "dossier_cpu": (
        r"^dossiers: FileDossier",
        "cpu_us_per_call",
        "dossiers FileDossier, CPU us per dossier filed",
    ),
    "haproxy_cpu": (r"via HAProxy$", "cpu_us_per_call[haproxy]", "HAProxy front door, CPU us per call"),
    "citizen_bytes": (r"^registry bulk import", "bytes_per_citizen_record", "bytes per citizen record"),
    "access_log_bytes": (
        r"^registry GetCitizen \(c=",
        "bytes_per_access_log_entry",
        "bytes per access-log entry",
    ),
    "payment_bytes": (r"^payment create\+complete", "bytes_per_payment", "bytes per payment"),
    "notification_bytes": (
        r"^notify accepted->delivered",
        "bytes_per_notification",
        "bytes per notification",
    ),
    "document_bytes": (r"^documents: send", "bytes_per_document", "bytes per document (4 KiB attachment)"),
    "document_rows": (r"^documents: send", "rows_per_document", "rows written per document sent"),
}


@dataclass(frozen=True)
class Measure:
    value: float | None
    source: str


def merge(benches: list[dict[str, Any]]) -> dict[str, Any]:
    """Several bench files as one: the first file's baseline, every file's rows in the order given."""
    return {
        "baseline": benches[0].get("baseline"),
        "results": [r for b in benches for r in b.get("results", [])],
    }


def measures(bench: dict[str, Any]) -> dict[str, Measure]:
    """Each figure the model needs, from the first bench row whose name matches, with that row's name."""
    rows = [r for r in [bench.get("baseline"), *bench.get("results", [])] if r and not r.get("error")]
    found: dict[str, Measure] = {}
    for key, (pattern, field, _) in MEASURES.items():
        found[key] = Measure(None, "not in this bench file")
        for row in rows:
            if re.search(pattern, row["name"]):
                value = row.get(field) if field in row else row.get("metrics", {}).get(field)
                if value:
                    found[key] = Measure(float(value), row["name"])
                    break
    return found


def compute(m: dict[str, Measure], assume: dict[str, float]) -> dict[str, Any]:
    """Pods, cores, database and NATS storage for a province and for the nation."""
    read = m["registry_read_cpu"].value
    cpu_per_call = {  # service -> (CPU us per front-door call of its class, share of calls)
        "registry": (read, assume["mix_registry_read"] + assume["mix_other"]),
        "identity": (m["token_cpu"].value, assume["mix_token"]),
        "payment": ((m["payment_cpu"].value or 0) / 2 or None, assume["mix_payment"]),
        "notify": (m["notify_accept_cpu"].value, assume["mix_notification"]),
        "notify-worker": (m["notify_deliver_cpu"].value, assume["mix_notification"]),
        "documents": ((m["document_cpu"].value or 0) / 2 or None, assume["mix_document"]),
        "dossiers": (m["dossier_cpu"].value, assume["mix_dossier"]),
        "haproxy": (m["haproxy_cpu"].value, 1.0),
    }
    out: dict[str, Any] = {}
    year = 365 * 86400
    for scope, peak, population in (
        ("province", assume["peak_calls_per_s"] * assume["province_share"], assume["province_population"]),
        ("nation", assume["peak_calls_per_s"], assume["nation_population"]),
    ):
        pods: dict[str, tuple[float | None, int | None]] = {}
        for service, (us, share) in cpu_per_call.items():
            if us is None:
                pods[service] = (None, None)
                continue
            cores = peak * share * us / 1e6
            count = max(
                int(assume["min_pods"]), math.ceil(cores / (assume["cores_per_pod"] * assume["cpu_target"]))
            )
            pods[service] = (cores, count)
        accesses = peak * assume["mean_to_peak"] * year * (assume["mix_registry_read"] + assume["mix_other"])
        payments = peak * assume["mean_to_peak"] * year * assume["mix_payment"] / 2
        notifications = peak * assume["mean_to_peak"] * year * assume["mix_notification"]
        documents = peak * assume["mean_to_peak"] * year * assume["mix_document"] / 2
        storage = {
            "citizen records": _bytes(m["citizen_bytes"].value, population * assume["record_versions"]),
            "access log, one year": _bytes(m["access_log_bytes"].value, accesses),
            "payments, one year": _bytes(m["payment_bytes"].value, payments),
            "notifications, one year": _bytes(m["notification_bytes"].value, notifications),
            "documents, one year": _bytes(m["document_bytes"].value, documents),
        }
        known = [v for v in storage.values() if v is not None]
        events = (
            peak * assume["events_per_call"] * assume["mean_to_peak"] * 86400 * assume["nats_retention_days"]
        )
        out[scope] = {
            "peak": peak,
            "population": population,
            "pods": pods,
            "counts": {
                "accesses": accesses,
                "payments": payments,
                "notifications": notifications,
                "documents": documents,
            },
            "storage": storage,
            "db_total": sum(known) if known else None,
            "db_all_copies": sum(known) * assume["db_copies"] if known else None,
            "nats_bytes": events * assume["event_bytes"] * assume["nats_replicas"],
        }
    return out


def _bytes(per: float | None, count: float) -> float | None:
    return None if per is None else per * count


def _size(value: float | None) -> str:
    if value is None:
        return "not measured"
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= scale:
            return f"{value / scale:,.1f} {unit}"
    return f"{value:,.0f} B"


def _num(value: float | None, spec: str = ",.0f") -> str:
    return "not measured" if value is None else format(value, spec)


def render(bench_name: str, m: dict[str, Measure], assume: dict[str, float]) -> str:
    result = compute(m, assume)
    lines = [
        f"Generated by `python -m tools.capacity.model {bench_name}`; do not edit by hand between the markers.",
        "",
        "### Measured (from the bench file)",
        "",
        "| figure | value | bench row |",
        "|---|---:|---|",
    ]
    for key, (_, _, what) in MEASURES.items():
        small = m[key].value is not None and m[key].value < 100  # e.g. rows per document: keep a decimal
        lines.append(f"| {what} | {_num(m[key].value, ',.1f' if small else ',.0f')} | {m[key].source} |")
    lines += ["", "### Assumptions (change with `--assume name=value`)", "", "| name | value | meaning |"]
    lines.append("|---|---:|---|")
    for name, (_, meaning) in ASSUMPTIONS.items():
        lines.append(f"| `{name}` | {assume[name]:,.10g} | {meaning} |")
    for scope in ("province", "nation"):
        r = result[scope]
        lines += [
            "",
            f"### {scope.capitalize()}: {r['population']:,.0f} citizens, peak {r['peak']:,.0f} calls/s",
            "",
            "| workload | cores busy at peak | pods (at `cpu_target`, at least `min_pods`) |",
            "|---|---:|---:|",
        ]
        for service, (cores, pods) in r["pods"].items():
            lines.append(f"| {service} | {_num(cores, ',.1f')} | {_num(pods)} |")
        total_cores = sum(c for c, _ in r["pods"].values() if c is not None)
        lines.append(f"| **total** | **{total_cores:,.1f}** | |")
        lines += ["", "| PostgreSQL storage | objects | size (one copy) |", "|---|---:|---:|"]
        counts = {
            "citizen records": r["population"] * assume["record_versions"],
            "access log, one year": r["counts"]["accesses"],
            "payments, one year": r["counts"]["payments"],
            "notifications, one year": r["counts"]["notifications"],
            "documents, one year": r["counts"]["documents"],
        }
        for what, size in r["storage"].items():
            lines.append(f"| {what} | {counts[what]:,.0f} | {_size(size)} |")
        lines.append(f"| **total** (x{assume['db_copies']:g} copies: {_size(r['db_all_copies'])}) | | "
                     f"**{_size(r['db_total'])}** |")  # fmt: skip
        lines.append("")
        lines.append(f"NATS JetStream storage (R{assume['nats_replicas']:g}, {assume['nats_retention_days']:g} "
                     f"days): {_size(r['nats_bytes'])} across the cluster.")  # fmt: skip
    return "\n".join(lines) + "\n"


def write(path: Path, generated: str) -> None:
    """Replace the generated part of ``path`` (between :data:`BEGIN` and :data:`END`)."""
    text = path.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    path.write_text(text[:start] + "\n" + generated + text[end:])


def parse_assumptions(items: list[str]) -> dict[str, float]:
    assume = {name: value for name, (value, _) in ASSUMPTIONS.items()}
    for item in items:
        name, _, value = item.partition("=")
        if name not in assume:
            raise SystemExit(f"unknown assumption {name!r}; known: {', '.join(assume)}")
        assume[name] = float(value)
    return assume


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.capacity.model", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("bench_json", type=Path, nargs="+", help="bench files; the first matching row counts")
    parser.add_argument("--assume", nargs="*", default=[], metavar="NAME=VALUE")
    parser.add_argument("--write", type=Path, help="replace the generated part of this file")
    args = parser.parse_args(argv)
    bench = merge([json.loads(path.read_text()) for path in args.bench_json])
    generated = render(" ".join(map(str, args.bench_json)), measures(bench), parse_assumptions(args.assume))
    if args.write:
        write(args.write, generated)
    else:
        print(generated)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
