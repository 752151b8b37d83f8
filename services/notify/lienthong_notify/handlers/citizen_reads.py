"""What a citizen reads of notify: the notifications sent to the contact their identity account gives."""

from __future__ import annotations

from ..adapters import notification_store
from ..adapters.contact_store import ContactBook
from ..domain.channels import Channel
from ..domain.notifications import Notification
from ..domain.recipients import InvalidRecipient, normalise
from .context import Notify


def _recipients(email: str, phone: str) -> list[str]:
    out = []
    for channel, value in ((Channel.EMAIL, email), (Channel.SMS, phone)):
        if value:
            try:
                out.append(normalise(channel, value))
            except InvalidRecipient:
                continue  # a contact notify could never have sent to
    return out


async def my_notifications(
    notify: Notify, book: ContactBook, personal_id: str, before_id: str | None, limit: int
) -> list[Notification]:
    """Newest first; none when notify knows no contact for the citizen."""
    async with notify.connect() as session:
        contact = await book.get(session, personal_id)
        recipients = _recipients(contact.email, contact.phone_number) if contact else []
        if not recipients:
            return []
        return await notification_store.list_for_recipients(
            session, recipients, before_id, limit, notify.personal
        )
