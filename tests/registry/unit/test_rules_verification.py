"""Verification answers match / no match only, needs a policy for its purpose, and logs every attempt."""

from __future__ import annotations

import datetime as dt

import pytest

from lienthong_registry.domain.access_log import AccessAction
from lienthong_registry.domain.citizen import Address
from lienthong_registry.domain.sex import LifeStatus, Sex
from lienthong_registry.domain.verification import Claims, matches
from lienthong_registry.handlers import citizens
from lienthong_registry.handlers.lookup import verify_citizen
from lienthong_runtime.errors import InvalidArgument, PermissionDenied

from .conftest import INSURER, REASON, REGISTRAR, record


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        (Claims(full_name="nguyễn văn an"), True),  # case folded
        (Claims(full_name="Nguyen Van An"), False),  # diacritics are significant
        (Claims(full_name="Nguyễn Văn An", date_of_birth=dt.date(1990, 5, 17), sex=Sex.MALE), True),
        (
            Claims(full_name="Nguyễn Văn An", date_of_birth=dt.date(1990, 5, 18)),
            False,
        ),  # every claim must hold
        (Claims(permanent_address=Address("1", "70")), True),  # codes compared as numbers, detail ignored
        (Claims(permanent_address=Address("01", "00004")), False),
        (Claims(life_status=LifeStatus.DECEASED), False),
    ],
)
def test_every_claimed_attribute_must_equal_the_records(claims, expected):
    assert matches(record(), claims) is expected


async def test_verification_needs_a_policy_logs_the_attempt_and_discloses_nothing(registry):
    created = await citizens.create_citizen(registry.uow, registry.services, REGISTRAR, record(), REASON)
    with pytest.raises(PermissionDenied):
        await verify_citizen(
            registry.services, INSURER, created.personal_id, Claims(full_name="x"), "kyc.check"
        )
    assert len(registry.log) == 1  # only the create's WRITE entry

    registry.grant(INSURER.agency_id, "kyc.check", ())  # a verification policy may grant no field
    assert await verify_citizen(
        registry.services, INSURER, created.personal_id, Claims(full_name="Nguyễn Văn An"), "kyc.check"
    )
    assert not await verify_citizen(
        registry.services,
        INSURER,
        record(serial=5).personal_id,
        Claims(full_name="Nguyễn Văn An"),
        "kyc.check",
    )  # an unknown ID is a plain NO_MATCH
    entries = registry.log[-2:]
    assert [e.action for e in entries] == [AccessAction.VERIFY] * 2 and all(e.fields == () for e in entries)


async def test_an_empty_claim_or_a_bad_id_is_refused_unlogged(registry):
    registry.grant(INSURER.agency_id, "kyc.check", ())
    with pytest.raises(InvalidArgument):
        await verify_citizen(registry.services, INSURER, record().personal_id, Claims(), "kyc.check")
    with pytest.raises(InvalidArgument) as caught:
        await verify_citizen(registry.services, INSURER, "12345", Claims(full_name="x"), "kyc.check")
    assert caught.value.reason == "PERSONAL_ID_INVALID"
    assert registry.log == []
