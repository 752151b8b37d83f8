"""Recipient validation and the domain's small rules (rate limit, signatures, backoff)."""

import pytest

from lienthong_notify.domain.callbacks import signature, verify_signature
from lienthong_notify.domain.limits import LimitExceeded, RateLimiter
from lienthong_notify.domain.notifications import RetryPolicy
from lienthong_notify.domain.recipients import InvalidRecipient, normalise_email, normalise_vn_mobile


@pytest.mark.parametrize(
    "number", ["0912345678", "091 234 5678", "+84912345678", "84912345678", "0389999999"]
)
def test_vietnamese_mobiles_normalise_to_e164(number):
    assert normalise_vn_mobile(number).startswith("+84")
    assert normalise_vn_mobile("0912345678") == "+84912345678"


@pytest.mark.parametrize("number", ["12345", "+14155552671", "02438253531", "not a number"])
def test_non_vietnamese_or_non_mobile_numbers_are_refused(number):
    with pytest.raises(InvalidRecipient):
        normalise_vn_mobile(number)


def test_email_syntax_without_dns():
    assert normalise_email("Nguyen.Van.An@Example.VN") == "nguyen.van.an@example.vn"
    for bad in ["no-at-sign", "a@", "a@b", "a b@example.vn", ""]:
        with pytest.raises(InvalidRecipient):
            normalise_email(bad)


def test_rate_limiter_refuses_beyond_burst_and_refills():
    limiter = RateLimiter(rate=10, burst=5)
    limiter.take("a", 5, now=0.0)
    with pytest.raises(LimitExceeded) as refused:
        limiter.take("a", 1, now=0.0)
    assert refused.value.reason == "RATE_LIMITED" and refused.value.retry_after == pytest.approx(0.1)
    limiter.take("b", 5, now=0.0)  # agencies are independent
    limiter.take("a", 1, now=0.2)


def test_signature_verifies_in_constant_time_and_rejects_tampering():
    header = signature("s3cret", 1000, b"{}")
    assert verify_signature(["other", "s3cret"], header, b"{}", now=1001)
    assert not verify_signature(["s3cret"], header, b"{ }", now=1001)
    assert not verify_signature(["s3cret"], header, b"{}", now=5000)
    assert not verify_signature(["s3cret"], "garbage", b"{}", now=1001)


def test_backoff_grows_with_jitter_and_is_capped():
    policy = RetryPolicy(base_s=1, max_s=8)
    assert 0.5 <= policy.delay(0) <= 1
    assert 2 <= policy.delay(2) <= 4
    assert all(4 <= policy.delay(n) <= 8 for n in range(3, 40))
