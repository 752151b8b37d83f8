"""Bulk import from CSV and JSON lines: per-line errors, idempotent re-run, records readable afterwards."""

import datetime as dt
import json

import pytest

from lienthong.registry.v1 import registry_pb2 as pb
from lienthong_registry.bulk_import import import_file

from .factories import personal_id

pytestmark = pytest.mark.postgres

HEADER = (
    "personal_id,full_name,date_of_birth,sex,nationality,permanent_address_province,"
    "permanent_address_ward,permanent_address_detail,household_id,household_relation,life_status\n"
)


def _csv_line(pid: str, name: str, birth: str, sex: str = "male") -> str:
    return f'{pid},"{name}",{birth},{sex},VN,01,00070,"3 Hàng Gai",HH-9,head,alive\n'


async def test_csv_import_reports_bad_lines_and_is_idempotent(registry, tmp_path):
    good = personal_id(dt.date(1970, 1, 2))
    female = personal_id(dt.date(2003, 4, 5), sex=2, province="079")
    path = tmp_path / "hanoi.csv"
    path.write_text(
        HEADER
        + _csv_line(good, "Vũ Văn Nam", "1970-01-02")
        + _csv_line(female, "Hoàng Thị Lan", "2003-04-05", "female")
        + _csv_line("12345", "Bad Id", "1970-01-02")
        + _csv_line(personal_id(dt.date(1970, 1, 2)), "", "1970-13-01")
        + _csv_line(good, "Vũ Văn Nam", "1970-01-02"),
        encoding="utf-8",
    )
    report = await import_file(
        path,
        registry.settings,
        agency_id="agency-hanoi",
        legal_reason="Migration QĐ 12/2025",
        url=registry.url,
        workers=0,
    )
    assert (report.read, report.inserted, report.skipped) == (5, 2, 0)
    assert (4, "personal_id", "must be exactly 12 digits (got 5 characters)") in report.errors
    assert (5, "date_of_birth", "must be a date YYYY-MM-DD") in report.errors
    assert (6, "personal_id", "duplicate of an earlier line of this file") in report.errors

    again = await import_file(
        path,
        registry.settings,
        agency_id="agency-hanoi",
        legal_reason="Migration QĐ 12/2025",
        url=registry.url,
        workers=0,
    )
    assert (again.inserted, again.skipped) == (0, 2)

    await registry.policy(
        "agency-registrar", "civil_status.registration", ["full_name", "household_relation"]
    )
    view = (
        await registry.stub.GetCitizen(
            pb.GetCitizenRequest(personal_id=female, purpose="civil_status.registration"),
            metadata=registry.md(),
        )
    ).citizen
    assert view.full_name == "Hoàng Thị Lan" and view.household_relation == pb.HOUSEHOLD_RELATION_HEAD


async def test_json_lines_import_with_a_worker_process(registry, tmp_path):
    pids = [personal_id(dt.date(1995, 6, 7)) for _ in range(3)]
    lines = [
        json.dumps(
            {
                "personal_id": pid,
                "full_name": "Bùi Văn Tú",
                "date_of_birth": "1995-06-07",
                "sex": "MALE",
                "permanent_address": {"province_code": "79", "ward_code": "26506"},
            },
            ensure_ascii=False,
        )
        for pid in pids
    ]
    path = tmp_path / "hcm.jsonl"
    path.write_text("\n".join([*lines, "not json", "[1]"]) + "\n", encoding="utf-8")
    report = await import_file(
        path, registry.settings, agency_id="agency-hcm", legal_reason="Migration", url=registry.url, workers=1
    )
    assert report.inserted == 3 and [e[0] for e in report.errors] == [4, 5]
    await registry.policy("agency-registrar", "search.test", ["permanent_address"])
    found = await registry.stub.SearchCitizens(
        pb.SearchCitizensRequest(
            full_name="bùi văn tú",
            date_of_birth=pb.Citizen().date_of_birth.__class__(year=1995, month=6, day=7),
            province_code="79",
            purpose="search.test",
            page_size=2,
        ),
        metadata=registry.md(),
    )
    assert len(found.citizens) == 2 and found.next_page_token
    rest = await registry.stub.SearchCitizens(
        pb.SearchCitizensRequest(
            full_name="bùi văn tú",
            date_of_birth=pb.Citizen().date_of_birth.__class__(year=1995, month=6, day=7),
            province_code="79",
            purpose="search.test",
            page_token=found.next_page_token,
        ),
        metadata=registry.md(),
    )
    assert {c.personal_id for c in [*found.citizens, *rest.citizens]} == set(pids)


async def test_a_concurrent_registration_falls_back_to_the_conflict_safe_merge(
    registry, tmp_path, monkeypatch
):
    from lienthong_registry.adapters import bulk_store

    pid = personal_id(dt.date(1960, 10, 10))
    path = tmp_path / "one.csv"
    path.write_text(HEADER + _csv_line(pid, "Tạ Văn Bảy", "1960-10-10"), encoding="utf-8")
    first = await import_file(
        path, registry.settings, agency_id="a", legal_reason="r", url=registry.url, workers=0
    )
    assert first.inserted == 1
    # As if another writer registered the ID between the existence check and the COPY.
    monkeypatch.setattr(
        bulk_store, "_KNOWN", "SELECT pid_index FROM citizens WHERE false AND pid_index = ANY($1)"
    )
    again = await import_file(
        path, registry.settings, agency_id="a", legal_reason="r", url=registry.url, workers=0
    )
    assert (again.inserted, again.skipped, again.errors) == (0, 1, [])
