"""A database dump alone reveals no names, dates of birth or personal IDs of the citizens in it."""

import datetime as dt
import unicodedata

import pytest
from google.protobuf import field_mask_pb2
from sqlalchemy import create_engine, inspect, text

from lienthong.registry.v1 import registry_pb2 as pb

from .factories import HANOI, citizen, date

pytestmark = pytest.mark.postgres

PEOPLE = [
    ("Ngô Thị Thu Hương", dt.date(1978, 11, 23), 2),
    ("Trịnh Công Sơn", dt.date(1939, 2, 28), 1),
    ("Lý Minh Khôi", dt.date(2015, 7, 4), 1),
]


def _dump(url: str) -> bytes:
    """Every value of every table, as bytes (text UTF-8 encoded, binary as is)."""
    engine = create_engine(url.replace("postgresql+asyncpg://", "postgresql+psycopg2://", 1))
    out = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    out.append(bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode())
    engine.dispose()
    return b"\x00".join(out)


def _forms(value: str) -> set[bytes]:
    forms = {value, value.upper(), value.casefold(), " ".join(value.split()[-1:])}
    return {unicodedata.normalize(n, f).encode() for f in forms for n in ("NFC", "NFD") if len(f) >= 4}


async def test_raw_database_contents_hold_no_clear_personal_data(registry):
    await registry.policy("agency-registrar", "civil_status.registration", ["full_name", "date_of_birth"])
    pids = []
    for name, birth, sex in PEOPLE:
        pid = (await registry.create(citizen(name, birth, sex, household="HH-DUMP", relation=1))).personal_id
        pids.append(pid)
        await registry.stub.UpdateCitizen(
            pb.UpdateCitizenRequest(
                personal_id=pid,
                expected_version=1,
                legal_reason="Residence change",
                citizen=pb.Citizen(current_address=pb.Address(province_code=HANOI, ward_code="00008")),
                update_mask=field_mask_pb2.FieldMask(paths=["current_address"]),
            ),
            metadata=registry.md(),
        )
        await registry.stub.GetCitizen(
            pb.GetCitizenRequest(personal_id=pid, purpose="civil_status.registration"), metadata=registry.md()
        )
        await registry.stub.SearchCitizens(
            pb.SearchCitizensRequest(
                full_name=name, date_of_birth=date(birth), purpose="civil_status.registration"
            ),
            metadata=registry.md(),
        )
    # Checked with events still in the outbox (sealed) and after the relay published (and deleted) them.
    _assert_clean(_dump(registry.url), pids)
    await registry.app.background[0].__self__.publish_pending()
    _assert_clean(_dump(registry.url), pids)


def _assert_clean(dump: bytes, pids: list[str]) -> None:
    assert len(dump) > 1000
    for (name, birth, _), pid in zip(PEOPLE, pids, strict=True):
        assert pid.encode() not in dump
        for form in _forms(name):
            assert form not in dump, form
        assert birth.isoformat().encode() not in dump
    for detail in ("Hàng Bạc", "Điện Biên Phủ"):
        assert unicodedata.normalize("NFC", detail).encode() not in dump
