"""Unit tier of the registry: handlers and domain rules on the in-memory fakes (no PostgreSQL, no server)."""

from __future__ import annotations

import datetime as dt

import pytest

from lienthong_registry.domain.citizen import Address, Citizen
from lienthong_registry.domain.personal_id import century_sex_digit
from lienthong_registry.domain.sex import HouseholdRelation, LifeStatus, Sex
from lienthong_registry.handlers.context import Caller

from ..fake_services import FakeRegistry

REGISTRAR = Caller("agency-registrar", "client-registrar", "Sở Tư pháp Hà Nội")
INSURER = Caller("agency-insurance", "client-insurance")
REASON = "Birth registration 123/QĐ"


@pytest.fixture
def registry() -> FakeRegistry:
    return FakeRegistry()


def record(
    name: str = "Nguyễn Văn An",
    birth: dt.date = dt.date(1990, 5, 17),
    sex: Sex = Sex.MALE,
    *,
    serial: int = 1,
    household: str = "",
    relation: HouseholdRelation = HouseholdRelation.UNSPECIFIED,
) -> Citizen:
    pid = f"001{century_sex_digit(birth.year, sex)}{birth.year % 100:02d}{serial:06d}"
    return Citizen(
        personal_id=pid,
        full_name=name,
        date_of_birth=birth,
        sex=sex,
        nationality="VN",
        place_of_birth=Address("01", "00004"),
        permanent_address=Address("01", "00070", "12 Hàng Bạc"),
        current_address=Address("01", "00004", "5 Điện Biên Phủ"),
        household_id=household,
        household_relation=relation,
        life_status=LifeStatus.ALIVE,
        date_of_death=None,
    )
