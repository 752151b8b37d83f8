"""Recipient validation: e-mail syntax (no DNS lookups) and Vietnamese mobile numbers normalised to E.164."""

from __future__ import annotations

import email_validator
import phonenumbers

from .channels import Channel


class InvalidRecipient(ValueError):
    """The recipient cannot receive on this channel; the message says why (no personal data in it)."""


def normalise_email(address: str) -> str:
    """The lower-cased address, or :class:`InvalidRecipient`."""
    if not address or len(address) > 254:
        raise InvalidRecipient("must be an e-mail address of at most 254 characters")
    try:
        result = email_validator.validate_email(address, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise InvalidRecipient("is not a valid e-mail address") from exc
    return result.normalized.lower()


def normalise_vn_mobile(number: str) -> str:
    """``+84...`` for a Vietnamese mobile number in national (09x...) or international form."""
    try:
        parsed = phonenumbers.parse(number, "VN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidRecipient("is not a phone number") from exc
    if parsed.country_code != 84 or not phonenumbers.is_valid_number(parsed):
        raise InvalidRecipient("is not a valid Vietnamese phone number")
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise InvalidRecipient("is not a Vietnamese mobile number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise(channel: Channel, recipient: str) -> str:
    """Normalised recipient for ``channel``."""
    return normalise_email(recipient.strip()) if channel is Channel.EMAIL else normalise_vn_mobile(recipient)
