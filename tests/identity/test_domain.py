"""Unit tests of identity's domain rules (no database, no network)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from lienthong_identity.domain.agencies import PROVINCE_CODES_2025, AgencyKind, province_code
from lienthong_identity.domain.citizens import totp_step
from lienthong_identity.domain.clients import ClientSecret, SecretHasher, overlap_window
from lienthong_identity.domain.keys import KeyState, SigningKey
from lienthong_identity.domain.personal_id import parse_personal_id
from lienthong_identity.domain.scopes import check_scopes, requested_scopes
from lienthong_identity.domain.throttle import ThrottlePolicy, ThrottleState
from lienthong_runtime.errors import InvalidArgument, PermissionDenied


def test_the_34_provinces_of_2025():
    assert len(PROVINCE_CODES_2025) == 34 and {"01", "79", "96"} <= PROVINCE_CODES_2025
    assert province_code(AgencyKind.PROVINCE, "1") == "01"
    for bad in ("02", "63", "100"):
        with pytest.raises(InvalidArgument):
            province_code(AgencyKind.PROVINCE, bad)
    with pytest.raises(InvalidArgument):
        province_code(AgencyKind.MINISTRY, "01")


def test_personal_id_decoding():
    pid = parse_personal_id("001305012345", current_year=2026)
    assert (pid.province_code, pid.birth_year, pid.female) == ("001", 2005, True)
    assert parse_personal_id("079085000001", current_year=2026).birth_year == 1985
    for bad in (
        "001327012345",
        "003205012345",
        "00130501234",
        "0013050123456",
        "00130501234x",
        "００１３０５０１２３４５",
    ):
        with pytest.raises(InvalidArgument) as error:
            parse_personal_id(bad, current_year=2026)
        assert error.value.reason == "PERSONAL_ID_INVALID"


def test_secret_hash_is_keyed_and_respects_expiry():
    now = datetime.now(UTC)
    hasher = SecretHasher(b"p" * 32)
    current = ClientSecret("s1", hasher.hash("lts_a"), now)
    previous = ClientSecret("s0", hasher.hash("lts_b"), now, expires_at=now + timedelta(hours=1))
    assert hasher.matches("lts_a", (previous, current), now) == current
    assert hasher.matches("lts_b", (previous, current), now) == previous
    assert hasher.matches("lts_b", (previous, current), now + timedelta(hours=2)) is None
    assert SecretHasher(b"q" * 32).hash("lts_a") != current.hash
    assert overlap_window(0) == timedelta(hours=24) and overlap_window(10**9) == timedelta(days=7)


def test_scopes_subset_rules():
    granted = frozenset({"a.b.read", "a.b.write"})
    assert requested_scopes([], granted) == granted
    assert requested_scopes(["a.b.read"], granted) == {"a.b.read"}
    with pytest.raises(PermissionDenied):
        requested_scopes(["a.b.admin"], granted)
    with pytest.raises(InvalidArgument) as error:
        check_scopes(["citizen.self"], granted, "scopes")
    assert error.value.reason == "SCOPE_NOT_ALLOWED"


def test_throttle_grows_then_caps_and_forgets_sources():
    policy = ThrottlePolicy(free=3, cap=30)
    assert [policy.delay(n) for n in range(1, 10)] == [0, 0, 1, 2, 4, 8, 16, 30, 30]
    state = ThrottleState("k", 20, 0, 0)
    later = state.after_failure(policy, now=10_000, forget_after=3600)
    assert later.failures == 1 and later.wait(10_000) == 0


def test_totp_window_and_steps():
    secret = pyotp.random_base32()
    now = time.time()
    step = int(now // 30)
    assert totp_step(secret, pyotp.TOTP(secret).at(now), now) == step
    assert totp_step(secret, pyotp.TOTP(secret).at(now + 30), now) == step + 1
    assert totp_step(secret, pyotp.TOTP(secret).at(now + 120), now) is None
    assert totp_step(secret, "12345", now) is None


def test_key_lifecycle():
    t0 = datetime.now(UTC)
    key = SigningKey("k", "EdDSA", {}, t0)
    assert key.state(t0) is KeyState.NEXT and key.published(t0)
    active = SigningKey("k", "EdDSA", {}, t0, activated_at=t0)
    assert active.state(t0) is KeyState.CURRENT
    retired = SigningKey("k", "EdDSA", {}, t0, t0, retired_at=t0, expires_at=t0 + timedelta(minutes=16))
    assert retired.state(t0 + timedelta(minutes=1)) is KeyState.RETIRED
    assert not retired.published(t0 + timedelta(minutes=16))


def test_contact_details_are_normalised():
    from lienthong_identity.domain.citizens import contact_email, phone_e164

    assert phone_e164("0912 345 678") == "+84912345678" and phone_e164("") == ""
    assert contact_email("Dan@Example.VN") == "Dan@example.vn"
    for bad in (lambda: phone_e164("12"), lambda: contact_email("not-an-email")):
        with pytest.raises(InvalidArgument):
            bad()


def test_an_agency_never_grants_a_scope_it_does_not_hold():
    from lienthong_identity.domain.scopes import OPERATOR_ONLY, check_grant, client_ceiling

    with pytest.raises(PermissionDenied) as refused:
        check_grant(
            ["payment.payments.read"], frozenset({"payment.payments.read"}), frozenset(), "allowed_scopes"
        )
    assert refused.value.reason == "SCOPE_NOT_HELD"
    stored_before_the_rule = frozenset({"identity.agencies.admin", "payment.payments.read"})
    assert client_ceiling(stored_before_the_rule) == {"payment.payments.read"}
    operator = frozenset({*OPERATOR_ONLY, "payment.payments.read"})
    assert client_ceiling(operator) == operator
