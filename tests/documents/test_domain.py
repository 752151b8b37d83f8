"""Unit tests of the documents domain and formats (no database): codes, forward-only status, search folding,
the edXML writer/reader pair and the seekable reader over sealed chunks."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime, timedelta

import pytest

from lienthong_documents.adapters.blobs import CHUNK, ChunkReader
from lienthong_documents.domain import edxml
from lienthong_documents.domain.codes import level1, normalise_code
from lienthong_documents.domain.directory import fold, newer
from lienthong_documents.domain.status import Status, advance
from lienthong_runtime.errors import InvalidArgument


@pytest.mark.parametrize(
    ("given", "canonical", "level_one"),
    [
        ("000.00.00.H29", "000.00.00.H29", "H29"),
        (" 000.00.04.g14 ", "000.00.04.G14", "G14"),
        ("H55.242", "H55.242", "H55"),
        ("G12.01.A3", "G12.01.A3", "G12"),
        ("H29", "H29", "H29"),  # a level-1 agency itself in the 2020 form
    ],
)
def test_identifier_codes_in_both_written_forms(given, canonical, level_one):
    assert normalise_code(given) == canonical
    assert level1(canonical) == level_one


@pytest.mark.parametrize(
    "bad", ["", "000.00.00", "000.00.00.H2", "h29..1", "H29.1-2", "29H.1", "H29." + "1" * 32, "Đ01.1"]
)
def test_malformed_codes_are_refused(bad):
    with pytest.raises(InvalidArgument) as err:
        normalise_code(bad)
    assert err.value.reason == "AGENCY_CODE_INVALID"


def test_status_moves_forward_only_and_final_states_stay():
    assert advance(Status.DELIVERED, Status.ARRIVED, "") is Status.ARRIVED
    assert advance(Status.ARRIVED, Status.COMPLETED, "") is Status.COMPLETED  # steps may be skipped
    assert advance(Status.PROCESSING, Status.RECEIVED, "") is None  # late report
    assert advance(Status.ASSIGNED, Status.ASSIGNED, "") is None  # repeated report
    for final in (Status.COMPLETED, Status.REFUSED, Status.RETURNED):
        for reported in (Status.ARRIVED, Status.PROCESSING, Status.COMPLETED):
            assert advance(final, reported, "") is None
    assert advance(Status.ARRIVED, Status.REFUSED, "Sai thẩm quyền") is Status.REFUSED
    assert advance(Status.RECEIVED, Status.REFUSED, "too late") is None  # registered: return, not refuse
    assert advance(Status.PROCESSING, Status.RETURNED, "Thiếu hồ sơ") is Status.RETURNED
    with pytest.raises(InvalidArgument):
        advance(Status.ARRIVED, Status.REFUSED, " ")
    with pytest.raises(InvalidArgument):
        advance(Status.ARRIVED, Status.DELIVERED, "")


def test_directory_search_folds_vietnamese():
    assert fold("UBND Thành phố  Hà Nội") == "ubnd thanh pho ha noi"
    assert fold("Sở Tài chính Đắk Lắk") == "so tai chinh dak lak"


async def _collect(parts) -> bytes:
    return b"".join([p async for p in parts])


async def test_edxml_written_in_pieces_reads_back_the_same():
    package = edxml.Package(
        document_id="doc_1",
        from_code="000.00.00.H01",
        from_name="UBND <Hà Nội> & co",
        to=[("000.00.00.G12", "Bộ Nội vụ")],
        number_symbol="15/2026/QĐ-UBND",
        issue_place="Hà Nội",
        issue_date=date(2026, 12, 5),
        document_type="Quyết định",
        summary="Về việc …",
        signer_name="Nguyễn Văn A",
        signer_title="Chủ tịch",
        urgency="EXPRESS",
        confidentiality="CONFIDENTIAL",
        relation="REPLY",
        related_document_id="doc_0",
        trace=[("000.00.00.H01", datetime(2026, 12, 5, 1, 2, 3, tzinfo=UTC))],
        statuses=[("000.00.00.G12", "ARRIVED", datetime(2026, 12, 5, 2, tzinfo=UTC), "")],
    )
    content = os.urandom(3 * 100_000 + 1)

    async def chunks():
        for start in range(0, len(content), 65_536):
            yield content[start : start + 65_536]

    raw = edxml.header(package).encode() + await _collect(
        edxml.attachment("a.pdf", "application/pdf", chunks())
    )
    raw += edxml.FOOTER
    reader, got = edxml.Reader(), []
    for start in range(0, len(raw), 7_001):  # pieces that cut elements and base64 anywhere
        reader.feed(raw[start : start + 7_001])
        got += reader.drain()
    reader.feed(b"", final=True)
    got += reader.drain()
    assert reader.package == package
    assert got[0] == ("begin", ("a.pdf", "application/pdf")) and got[-1] == ("end", None)
    assert b"".join(v for k, v in got if k == "data") == content


def test_chunk_reader_seeks_and_reads_across_chunks():
    data = os.urandom(2 * CHUNK + 123)
    fetched = []

    def fetch(seq: int) -> bytes:
        fetched.append(seq)
        return data[seq * CHUNK : (seq + 1) * CHUNK]

    reader = ChunkReader(fetch, len(data))
    assert reader.read(10) == data[:10]
    reader.seek(-50, io.SEEK_END)
    assert reader.read() == data[-50:]
    reader.seek(CHUNK - 5)
    assert reader.read(10) == data[CHUNK - 5 : CHUNK + 5]
    assert reader.read(0) == b"" and reader.tell() == CHUNK + 5
    assert set(fetched) == {0, 1, 2}


def test_a_suspension_state_moves_only_to_a_newer_instant():
    t = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    assert newer(None, t)  # never suspended: any event applies
    assert newer(t, t + timedelta(microseconds=1))
    assert not newer(t, t)  # a repeated event
    assert not newer(t, t - timedelta(seconds=30))  # a late one
