"""Citizens' contacts as notify knows them (from identity's ``CitizenContactChanged``) and the rules of keeping them.

Events may arrive out of order: a change older than the one on file is ignored. A contact with neither an
e-mail nor a phone number removes what is on file. An e-mail notify could never send to is kept as no e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .channels import Channel
from .recipients import InvalidRecipient, normalise, normalise_email


@dataclass(frozen=True)
class Contact:
    """How a citizen can be reached; either part may be empty."""

    email: str
    phone_number: str

    @property
    def empty(self) -> bool:
        return not (self.email or self.phone_number)

    def recipients(self) -> list[str]:
        """The normalised addresses notify may have sent to (what the citizen's own list is found by)."""
        out = []
        for channel, value in ((Channel.EMAIL, self.email), (Channel.SMS, self.phone_number)):
            if value:
                try:
                    out.append(normalise(channel, value))
                except InvalidRecipient:
                    continue  # a contact notify could never have sent to
        return out


def email_or_empty(address: str) -> str:
    """The normalised address, or "" for none or one that cannot receive mail."""
    try:
        return normalise_email(address) if address else ""
    except InvalidRecipient:
        return ""


def supersedes(change_time: datetime, stored_change_time: datetime | None) -> bool:
    """Whether a change made at ``change_time`` replaces what is on file (nothing, or an older change)."""
    return stored_change_time is None or change_time >= stored_change_time
