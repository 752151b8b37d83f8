"""Citizen accounts: password policy and hashing (argon2id), TOTP (RFC 6238) with single use of each code."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime

import pyotp
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from lienthong_runtime import validation
from lienthong_runtime.errors import invalid
from lienthong_runtime.ids import new_id

MIN_PASSWORD, MAX_PASSWORD = 12, 128
TOTP_PERIOD = 30
#: Well-known passwords long enough to pass the length rule; refused outright.
_BREACHED = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "qwertyuiop12",
        "qwertyuiopas",
        "password1234",
        "password12345",
        "passwordpassword",
        "iloveyou1234",
        "matkhau12345",
        "matkhau123456",
        "abc123456789",
        "123456789abc",
        "1q2w3e4r5t6y",
        "qwerty123456",
        "admin1234567",
        "welcome12345",
        "aaaaaaaaaaaa",
        "111111111111",
        "000000000000",
        "abcdefghijkl",
        "vietnam12345",
        "vietnam123456",
        "hanoi1234567",
    }
)


@dataclass(frozen=True)
class CitizenAccount:
    id: str
    personal_id: str
    password_hash: str
    created_at: datetime
    email: str = ""
    phone_number: str = ""
    totp_enabled: bool = False
    #: Last TOTP time step accepted: a code of that step or an earlier one is refused (single use).
    totp_last_step: int = 0

    @property
    def subject(self) -> str:
        return f"citizen:{self.id}"


def new_account_id() -> str:
    return f"acc_{new_id()}"


def check_password(password: str, personal_id: str, field: str = "password") -> str:
    """``password`` if it meets the policy, else INVALID_ARGUMENT with reason PASSWORD_POLICY."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise invalid(field, f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters", reason="PASSWORD_POLICY")
    lowered = password.lower()
    if lowered in _BREACHED or len(set(password)) < 4:
        raise invalid(field, "is a known or trivial password", reason="PASSWORD_POLICY")
    if personal_id and personal_id in password:
        raise invalid(field, "must not contain the personal ID number", reason="PASSWORD_POLICY")
    return password


class Passwords:
    """argon2id hashing (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4) with transparent re-hashing."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
        self._dummy = self._hasher.hash("not-a-real-password-" + uuid.uuid4().hex)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches; with ``stored`` None, spends the same time and answers False."""
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def new_totp_secret() -> str:
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str = "Liên Thông") -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def totp_step(secret: str, code: str, now: float, window: int = 1) -> int | None:
    """The time step (within ``window`` steps of now) whose code is ``code``, or None."""
    code = code.strip()
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_PERIOD)
    step = int(now // TOTP_PERIOD)
    found = None
    for candidate in range(step - window, step + window + 1):
        if hmac.compare_digest(totp.at(candidate * TOTP_PERIOD), code):
            found = candidate
    return found


def contact_email(value: str) -> str:
    """A valid e-mail address (the runtime's rule, normalised), '' when absent, else INVALID_ARGUMENT."""
    if not value.strip():
        return ""
    return validation.check("email", validation.email, value.strip(" "))


def phone_e164(value: str) -> str:
    """A Vietnamese mobile number in E.164 (+84...), '' when absent, else INVALID_ARGUMENT (the contract accepts
    Vietnamese mobile numbers only)."""
    if not value.strip():
        return ""
    return validation.check("phone_number", validation.vn_mobile, value.strip(" "))
