"""One set of validators for the field kinds every service shares: plain text, e-mail, Vietnamese mobile number,
URL, enum value. Each returns the normalised value or raises :class:`Invalid` with a description that names no
personal data; :func:`check` turns that into INVALID_ARGUMENT with a field violation, :func:`problem` into a
``FieldViolation`` for handlers that list every bad field at once. A field of the same kind is validated by the
same function in every service, so what one service refuses no other accepts.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Container, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .errors import FieldViolation, InvalidArgument, invalid

T = TypeVar("T")

#: C0 and C1 control characters, DEL, and the Unicode line/paragraph separators: never part of a text field.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_EXCEPT_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


class Invalid(ValueError):
    """A value that is not of its kind; ``str(exc)`` says why without repeating the value."""


def plain_text(value: str, *, max_length: int, required: bool = False, multiline: bool = False) -> str:
    """``value`` unchanged if it has no control characters (tab and newlines allowed when ``multiline``), no
    unpaired surrogates, and at most ``max_length`` characters; ``required`` refuses blank text."""
    if required and not value.strip():
        raise Invalid("is required")
    if len(value) > max_length:
        raise Invalid(f"at most {max_length} characters")
    if (_CONTROL_EXCEPT_NEWLINE if multiline else _CONTROL).search(value):
        raise Invalid("must not contain control characters")
    if any(unicodedata.category(ch) == "Cs" for ch in value):
        raise Invalid("must be valid Unicode text")
    return value


def email(value: str) -> str:
    """A mailbox address (syntax only, no DNS), normalised (the domain lower-cased). Refuses what a mail server or a log
    reader could be tricked by: control characters, quoted or exotic local parts, IP-literal domains, labels
    starting or ending with a hyphen."""
    import email_validator

    if not value or len(value) > 254:
        raise Invalid("must be an e-mail address of at most 254 characters")
    if _CONTROL.search(value):
        raise Invalid("is not a valid e-mail address")
    try:
        result = email_validator.validate_email(
            value,
            check_deliverability=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except email_validator.EmailNotValidError:
        raise Invalid("is not a valid e-mail address") from None
    return str(result.normalized)


def vn_mobile(value: str) -> str:
    """A Vietnamese mobile number (national ``09x...`` or international ``+84 9x...``) as E.164 ``+84...``."""
    import phonenumbers

    if not value or len(value) > 32 or _CONTROL.search(value):
        raise Invalid("is not a phone number")
    try:
        parsed = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException:
        raise Invalid("is not a phone number") from None
    if parsed.country_code != 84 or not phonenumbers.is_valid_number(parsed):
        raise Invalid("is not a valid Vietnamese phone number")
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise Invalid("is not a Vietnamese mobile number")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


#: Host names a development machine may use over plain http.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def url(
    value: str,
    *,
    max_length: int = 2000,
    allow_http_localhost: bool = False,
    refuse_private_hosts: bool = False,
    allowed_hosts: Container[str] = (),
) -> str:
    """An absolute ``https`` URL with a host name and no user information, whitespace or control characters
    (``http`` to :data:`LOCAL_HOSTS` when ``allow_http_localhost``). ``refuse_private_hosts`` also refuses IP
    literals and names that are not public (loopback, private, link-local, metadata: :func:`host_problem`),
    except hosts listed in ``allowed_hosts``."""
    if not value or len(value) > max_length:
        raise Invalid(f"must be an absolute URL of at most {max_length} characters")
    if _CONTROL.search(value) or any(ch.isspace() for ch in value):
        raise Invalid("must not contain whitespace or control characters")
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a malformed port raises ValueError
    except ValueError:
        raise Invalid("is not a URL") from None
    if not host or parts.username is not None or parts.password is not None:
        raise Invalid("must name a host and carry no user name or password")
    local = parts.scheme == "http" and allow_http_localhost and host in LOCAL_HOSTS
    if parts.scheme != "https" and not local:
        raise Invalid("must be an https URL" + (" (or http://localhost)" if allow_http_localhost else ""))
    if refuse_private_hosts and not local and host not in allowed_hosts:
        reason = host_problem(host)
        if reason:
            raise Invalid(reason)
    return value


def enum_value(value: int, defined: Iterable[int], *, allow_unspecified: bool = False) -> int:
    """``value`` if it is one of the enum's defined numbers (0, ``*_UNSPECIFIED``, only if allowed)."""
    if value == 0 and not allow_unspecified:
        raise Invalid("is required")
    if value != 0 and value not in set(defined):
        raise Invalid("is not a defined value")
    return value


def check(field: str, validator: Callable[..., T], value: Any, **options: Any) -> T:
    """``validator(value, **options)``, or INVALID_ARGUMENT naming ``field``."""
    try:
        return validator(value, **options)
    except Invalid as exc:
        raise invalid(field, str(exc)) from None


def problem(field: str, validator: Callable[..., Any], value: Any, **options: Any) -> FieldViolation | None:
    """The field violation of ``value`` (None when it is valid), for handlers that collect every bad field."""
    try:
        validator(value, **options)
    except Invalid as exc:
        return FieldViolation(field, str(exc))
    return None


def refuse(message: str, violations: Iterable[FieldViolation | None], *, reason: str) -> None:
    """Raise INVALID_ARGUMENT with every non-None violation, if there is any."""
    bad = [v for v in violations if v is not None]
    if bad:
        raise InvalidArgument(message, reason=reason, field_violations=bad)


def is_public_address(address: str) -> bool:
    """True for a globally routable IP address (not loopback, private, link-local, shared, reserved, multicast,
    or the IPv4-mapped / 6to4 form of one of those)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    return bool(ip.is_global) and not ip.is_multicast


#: Names that always mean this machine or a cloud metadata service, whatever DNS says.
_INTERNAL_NAMES = ("localhost", "metadata.google.internal", "metadata", "instance-data")
NOT_PUBLIC = "must not point at a loopback, private, link-local or metadata address"


class AllowList:
    """Host names, addresses and networks a deployment explicitly trusts as receivers."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.names: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in entries:
            entry = entry.strip().lower()
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.names.add(entry.rstrip("."))

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.names or self.allows_address(host)

    def allows_address(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        return any(ip in network for network in self.networks)


def host_problem(host: str) -> str | None:
    """Why ``host`` (as written in a URL) cannot receive the platform's requests, or None."""
    name = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        if name in _INTERNAL_NAMES or name.endswith((".localhost", ".internal", ".local")):
            return NOT_PUBLIC
        return None
    return None if is_public_address(name) else NOT_PUBLIC
