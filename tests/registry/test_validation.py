"""Hostile and malformed citizen records: each refused with INVALID_ARGUMENT and a precise BadRequest violation."""

import datetime as dt
import unicodedata

import grpc
import pytest

from lienthong.registry.v1 import registry_pb2 as pb
from lienthong_registry.domain import personal_id as pid_rules
from lienthong_registry.domain.names import names_match, stored_name
from lienthong_registry.domain.sex import Sex
from lienthong_registry.domain.validation import validate
from lienthong_registry.grpc_convert import citizen_in
from lienthong_runtime.errors import InvalidArgument

from .factories import HANOI, bad_request, citizen, date

BIRTH = dt.date(1990, 5, 17)
TOMORROW = dt.date.today() + dt.timedelta(days=2)


def _with(**changes) -> pb.Citizen:
    message = citizen(birth=BIRTH, pid="001090123456")
    for name, value in changes.items():
        field = getattr(message, name, None)
        if hasattr(field, "CopyFrom"):
            field.CopyFrom(value)
        else:
            setattr(message, name, value)
    return message


# (case, record, violated field, words the description must contain)
HOSTILE = [
    ("too short", _with(personal_id="00109012345"), "citizen.personal_id", "exactly 12 digits"),
    ("too long", _with(personal_id="0010901234567"), "citizen.personal_id", "exactly 12 digits"),
    ("non-digits", _with(personal_id="00109012345A"), "citizen.personal_id", "only the digits"),
    (
        "full-width digits",
        _with(personal_id="００１０９０１２３４５６"),
        "citizen.personal_id",
        "only the digits",
    ),
    ("impossible province 003", _with(personal_id="003090123456"), "citizen.personal_id", "province code"),
    ("impossible province 097", _with(personal_id="097090123456"), "citizen.personal_id", "province code"),
    ("female digit for a male", _with(personal_id="001190123456"), "citizen.personal_id", "digit 4"),
    ("21st-century digit for 1990", _with(personal_id="001290123456"), "citizen.personal_id", "digit 4"),
    ("birth year digits", _with(personal_id="001091123456"), "citizen.personal_id", "digits 5-6"),
    (
        "unknown ward",
        _with(permanent_address=pb.Address(province_code=HANOI, ward_code="99999")),
        "citizen.permanent_address.ward_code",
        "official 2025 list",
    ),
    (
        "ward of another province",
        _with(permanent_address=pb.Address(province_code="79", ward_code="00070")),
        "citizen.permanent_address.ward_code",
        "does not belong",
    ),
    (
        "pre-2025 province",
        _with(permanent_address=pb.Address(province_code="02", ward_code="00070")),
        "citizen.permanent_address.province_code",
        "34 provinces",
    ),
    ("future birth", _with(date_of_birth=date(TOMORROW)), "citizen.date_of_birth", "future"),
    ("empty name", _with(full_name="   "), "citizen.full_name", "must not be empty"),
    ("oversized name", _with(full_name="A" * 151), "citizen.full_name", "at most 150"),
    ("markup in name", _with(full_name="<script>alert(1)</script>"), "citizen.full_name", "not allowed"),
    (
        "oversized address",
        _with(current_address=pb.Address(province_code=HANOI, ward_code="00070", detail="x" * 301)),
        "citizen.current_address.detail",
        "at most 300",
    ),
    (
        "oversized household",
        _with(household_id="h" * 65, household_relation=1),
        "citizen.household_id",
        "1-64",
    ),
    ("household without relation", _with(household_id="HH-1"), "citizen.household_relation", "required"),
    (
        "deceased without date",
        _with(life_status=pb.LIFE_STATUS_DECEASED),
        "citizen.date_of_death",
        "required",
    ),
    ("nationality", _with(nationality="Vietnam"), "citizen.nationality", "alpha-2"),
    (
        "impossible date",
        _with(date_of_birth=pb.Citizen().date_of_birth.__class__(year=1990, month=2, day=30)),
        "citizen.date_of_birth",
        "not a calendar date",
    ),
    ("unknown enum", _with(sex=7), "citizen.sex", "not a known value"),
]


@pytest.mark.postgres
async def test_hostile_records_are_refused_with_a_precise_violation(registry):
    for case, record, field, words in HOSTILE:
        request = pb.CreateCitizenRequest(citizen=record, legal_reason="Birth registration 1/QĐ")
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await registry.stub.CreateCitizen(request, metadata=registry.md())
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, case
        violations = bad_request(caught.value)
        assert any(f == field and words in d for f, d in violations), (case, violations)
    valid = await registry.create(_with())
    assert valid.personal_id == "001090123456"


@pytest.mark.parametrize(("case", "record", "field", "words"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_each_hostile_record_names_the_field(case, record, field, words):
    """The same table without a server: each case is refused with exactly the expected violation."""
    with pytest.raises(InvalidArgument) as caught:
        validate(citizen_in(record), dt.date.today())
    assert any(v.field == field and words in v.description for v in caught.value.field_violations), (
        case,
        caught.value.field_violations,
    )


def test_century_and_sex_digit():
    assert pid_rules.century_sex_digit(1999, Sex.MALE) == 0
    assert pid_rules.century_sex_digit(1999, Sex.FEMALE) == 1
    assert pid_rules.century_sex_digit(2005, Sex.FEMALE) == 3
    assert pid_rules.century_sex_digit(2100, Sex.MALE) == 4
    assert pid_rules.century_sex_digit(1899, Sex.MALE) is None
    assert pid_rules.consistency_problem("079305000001", dt.date(2005, 1, 1), Sex.FEMALE) is None


def test_names_tolerate_case_and_normal_forms_but_not_missing_diacritics():
    nfd = unicodedata.normalize("NFD", "NGUYỄN  Văn An")
    assert names_match(nfd, "nguyễn văn an")
    assert not names_match("Nguyen Van An", "Nguyễn Văn An")
    assert stored_name(nfd) == unicodedata.normalize("NFC", "NGUYỄN Văn An")
