"""The portal's pure parts: the sealed session, the access-log filters and the CSV (no browser, no platform)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from lienthong.registry.v1 import registry_pb2
from lienthong_portal import access_view
from lienthong_portal.i18n import translator
from lienthong_portal.session import Session, SessionCodec
from lienthong_runtime.crypto import Keyring

T = translator("vi")


def _codec(key: bytes = b"\x01" * 32, kid: str = "k1", **kw) -> SessionCodec:
    return SessionCodec(Keyring({kid: key}), secure=kw.get("secure", True), idle_seconds=600)


def test_a_session_opens_only_with_the_key_and_name_it_was_sealed_with():
    codec = _codec()
    sealed = codec.seal(Session(access_token="at", refresh_token="rt"), now=1000.0)
    assert codec.open(sealed, now=1001.0).access_token == "at"
    assert codec.open(sealed, now=1601.0) is None  # idle for longer than the session lasts
    assert _codec(b"\x02" * 32).open(sealed, now=1001.0) is None  # another key
    assert _codec(secure=False).open(sealed, now=1001.0) is None  # sealed for the __Host- cookie name
    tampered = sealed[:-2] + ("AA" if sealed[-2:] != "AA" else "BB")
    assert codec.open(tampered, now=1001.0) is None
    assert codec.open("x" * 5000) is None and codec.open("") is None
    assert codec.cookie_name == "__Host-lt_portal" and codec.cookie_options()["httponly"]


def test_a_rotated_keyring_still_opens_older_sessions():
    old = SessionCodec(Keyring({"k1": b"\x01" * 32}), secure=True, idle_seconds=600)
    sealed = old.seal(Session(access_token="at"), now=1000.0)
    rotated = SessionCodec(Keyring({"k1": b"\x01" * 32, "k2": b"\x02" * 32}), secure=True, idle_seconds=600)
    assert rotated.open(sealed, now=1001.0).access_token == "at"


def test_csrf_tokens_compare_exactly():
    session = Session()
    assert (
        session.csrf_ok(session.csrf) and not session.csrf_ok("") and not session.csrf_ok(session.csrf + "x")
    )


def _entry(agency: str, when: dt.datetime, purpose: str = "p") -> registry_pb2.AccessLogEntry:
    stamp = Timestamp()
    stamp.FromDatetime(when)
    return registry_pb2.AccessLogEntry(
        agency_id=agency,
        agency_name=agency,
        time=stamp,
        purpose=purpose,
        action=registry_pb2.ACCESS_ACTION_READ,
    )


def test_filters_by_agency_and_by_whole_days_in_vietnam():
    filters = access_view.Filters.parse({"agency": "a", "from": "2026-03-01", "to": "2026-03-02"})
    assert filters.start_time() == dt.datetime(2026, 2, 28, 17, tzinfo=dt.UTC)  # midnight in UTC+7
    late = dt.datetime(2026, 3, 2, 16, 59, tzinfo=dt.UTC)  # 23:59 on the 2nd in Vietnam
    assert filters.keeps(_entry("a", late))
    assert not filters.keeps(_entry("a", late + dt.timedelta(minutes=1)))
    assert not filters.keeps(_entry("b", late))
    for bad in ({"from": "2026-13-01"}, {"from": "2026-03-02", "to": "2026-03-01"}):
        with pytest.raises(access_view.BadPeriod):
            access_view.Filters.parse(bad)


def test_the_csv_neutralises_spreadsheet_formulas_and_names_agencies():
    when = dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC)
    rows = access_view.rows([_entry("ag-1", when, purpose="=HYPERLINK(1)")], {"ag-1": "Sở Y tế"}, T)
    table = list(csv.reader(io.StringIO(access_view.to_csv(rows, T))))
    assert table[1][1] == "Sở Y tế" and table[1][3] == "'=HYPERLINK(1)"
    assert table[1][0] == "2026-03-02T10:00:00+07:00" and table[1][6] == "Bị sửa đổi"
