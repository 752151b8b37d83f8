"""The capacity model (docs/CAPACITY.md) is computed from a bench JSON file and the listed assumptions: each
figure is read from the named bench row, pods follow CPU per call x peak x mix, storage follows bytes per object
x count, an assumption changed on the command line changes the tables, and --write touches only the generated
part of the document."""

from __future__ import annotations

import json
import math
from pathlib import Path

from tools.capacity import model

BENCH = {
    "baseline": {"name": "echo baseline (grpc.aio)", "cpu_us_per_call": 400.0, "metrics": {}},
    "results": [
        {
            "name": "registry bulk import 1,000",
            "cpu_us_per_call": None,
            "metrics": {"bytes_per_citizen_record": 2000},
        },
        {
            "name": "registry GetCitizen (c=32)",
            "cpu_us_per_call": 800.0,
            "metrics": {"bytes_per_access_log_entry": 600},
        },
        {
            "name": "payment create+complete (sandbox, PG)",
            "cpu_us_per_call": 3000.0,
            "metrics": {"bytes_per_payment": 5000},
        },
        {"name": "notify SendEmail (new notifications, PG)", "cpu_us_per_call": 1500.0, "metrics": {}},
        {"name": "GetCitizen via HAProxy", "metrics": {"cpu_us_per_call[haproxy]": 130.0}},
        {"name": "identity GetJwks + verify (cache)", "error": "boom"},
    ],
}


def test_figures_come_from_the_named_rows() -> None:
    m = model.measures(BENCH)
    assert (
        m["registry_read_cpu"].value == 800.0
        and m["registry_read_cpu"].source == "registry GetCitizen (c=32)"
    )
    assert m["haproxy_cpu"].value == 130.0 and m["citizen_bytes"].value == 2000
    assert m["token_cpu"].value is None  # a failed row is not a figure
    assert m["notification_bytes"].value is None


def test_pods_and_storage_follow_the_measures_and_assumptions() -> None:
    assume = model.parse_assumptions([])
    result = model.compute(model.measures(BENCH), assume)
    nation = result["nation"]
    share = assume["mix_registry_read"] + assume["mix_other"]
    cores = assume["peak_calls_per_s"] * share * 800 / 1e6
    assert math.isclose(nation["pods"]["registry"][0], cores)
    assert nation["pods"]["registry"][1] == max(
        3, math.ceil(cores / (assume["cores_per_pod"] * assume["cpu_target"]))
    )
    assert nation["pods"]["identity"] == (None, None)
    assert (
        nation["storage"]["citizen records"] == 2000 * assume["nation_population"] * assume["record_versions"]
    )
    assert nation["storage"]["notifications, one year"] is None
    province = result["province"]
    assert province["peak"] == assume["peak_calls_per_s"] * assume["province_share"]
    doubled = model.compute(model.measures(BENCH), model.parse_assumptions(["peak_calls_per_s=40000"]))
    assert math.isclose(doubled["nation"]["pods"]["registry"][0], 2 * cores)


def test_write_replaces_only_the_generated_part(tmp_path: Path) -> None:
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps(BENCH))
    doc = tmp_path / "CAPACITY.md"
    doc.write_text(f"# Capacity\n\nhand-written\n\n{model.BEGIN}\nold\n{model.END}\n\ntrailer\n")
    assert model.main([str(bench), "--write", str(doc), "--assume", "nation_population=1000"]) == 0
    text = doc.read_text()
    assert text.startswith("# Capacity\n\nhand-written\n") and text.endswith(f"{model.END}\n\ntrailer\n")
    assert "old" not in text and "| `nation_population` | 1,000 |" in text
    assert "registry GetCitizen (c=32)" in text and "not measured" in text


DOCUMENTS = {
    "baseline": {"name": "echo baseline (grpc.aio)", "cpu_us_per_call": 380.0, "metrics": {}},
    "results": [
        {
            "name": "documents: send with one 4 KiB attachment (PG)",
            "cpu_us_per_call": 6000.0,
            "metrics": {"bytes_per_document": 9000, "rows_per_document": 7.5},
        }
    ],
}


def test_the_documents_block_is_priced_from_its_send_row_and_a_second_bench_file(tmp_path: Path) -> None:
    merged = model.merge([BENCH, DOCUMENTS])
    assert merged["baseline"]["cpu_us_per_call"] == 400.0  # the first file's baseline
    m = model.measures(merged)
    assert m["document_cpu"].value == 6000.0 and m["document_bytes"].value == 9000
    assert m["document_rows"].value == 7.5
    assume = model.parse_assumptions([])
    nation = model.compute(m, assume)["nation"]
    # A document is two RPCs (upload, send): half its CPU per call of the document share.
    assert math.isclose(
        nation["pods"]["documents"][0], assume["peak_calls_per_s"] * assume["mix_document"] * 3e-3
    )
    documents = assume["peak_calls_per_s"] * assume["mean_to_peak"] * 365 * 86400 * assume["mix_document"] / 2
    assert math.isclose(nation["storage"]["documents, one year"], 9000 * documents)
    mix = [v for k, v in assume.items() if k.startswith("mix_")]
    assert math.isclose(sum(mix), 1.0)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps(BENCH))
    second.write_text(json.dumps(DOCUMENTS))
    doc = tmp_path / "CAPACITY.md"
    doc.write_text(f"{model.BEGIN}\n{model.END}\n")
    assert model.main([str(first), str(second), "--write", str(doc)]) == 0
    assert "| rows written per document sent | 7.5 | documents: send" in doc.read_text()


def test_the_dossiers_block_is_priced_from_its_filing_row() -> None:
    filing = {"name": "dossiers: FileDossier (PG)", "cpu_us_per_call": 5000.0}
    m = model.measures({"baseline": BENCH["baseline"], "results": [*BENCH["results"], filing]})
    assert (m["dossier_cpu"].value, m["dossier_cpu"].source) == (5000.0, "dossiers: FileDossier (PG)")
    assume = model.parse_assumptions(["mix_dossier=0.01"])
    nation = model.compute(m, assume)["nation"]
    # One FileDossier per dossier: its CPU times the dossier share of the peak.
    assert math.isclose(nation["pods"]["dossiers"][0], assume["peak_calls_per_s"] * 0.01 * 5e-3)
    assert model.compute(model.measures(BENCH), assume)["nation"]["pods"]["dossiers"] == (None, None)
