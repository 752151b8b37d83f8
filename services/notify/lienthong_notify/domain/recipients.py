"""Recipient validation: the runtime's e-mail and Vietnamese mobile validators (the same rules every service
applies to a field of that kind), raising :class:`InvalidRecipient` for notify's handlers."""

from __future__ import annotations

from lienthong_runtime import validation

from .channels import Channel


class InvalidRecipient(ValueError):
    """The recipient cannot receive on this channel; the message says why (no personal data in it)."""


def normalise_email(address: str) -> str:
    """The lower-cased address, or :class:`InvalidRecipient`."""
    try:
        return validation.email(address).lower()
    except validation.Invalid as exc:
        raise InvalidRecipient(str(exc)) from None


def normalise_vn_mobile(number: str) -> str:
    """``+84...`` for a Vietnamese mobile number in national (09x...) or international form."""
    try:
        return validation.vn_mobile(number)
    except validation.Invalid as exc:
        raise InvalidRecipient(str(exc)) from None


def normalise(channel: Channel, recipient: str) -> str:
    """Normalised recipient for ``channel``."""
    return normalise_email(recipient.strip()) if channel is Channel.EMAIL else normalise_vn_mobile(recipient)
