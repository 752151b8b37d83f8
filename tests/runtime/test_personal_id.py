import pytest

from lienthong_runtime.personal_id import century_sex_digit, decode, format_problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("00130501234", "12 digits"),
        ("00130501234a", "only the digits"),
        ("003305012345", "province code"),
        ("０01305012345", "only the digits"),
    ],
)
def test_format_problems(value, problem):
    assert problem in (format_problem(value) or "")


def test_decode_and_encode_agree():
    assert format_problem("001305012345") is None
    parts = decode("001305012345")
    assert (parts.province_code, parts.birth_year, parts.female) == ("001", 2005, True)
    assert decode("079085000001").birth_year == 1985 and not decode("079085000001").female
    assert century_sex_digit(2005, True) == 3 and century_sex_digit(1985, False) == 0
    assert century_sex_digit(1899, False) is None and century_sex_digit(2400, True) is None
