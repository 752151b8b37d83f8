"""What a citizen reads of notify: the notifications sent to the contact their identity account gives."""

from __future__ import annotations

from ..domain.notifications import Notification
from .ports import NotifyUnitOfWork


async def my_notifications(
    uow: NotifyUnitOfWork, *, personal_id: str, before_id: str | None, limit: int
) -> list[Notification]:
    """Newest first; none when notify knows no contact for the citizen."""
    async with uow:
        contact = await uow.contacts.get(personal_id)
        recipients = contact.recipients() if contact else []
        if not recipients:
            return []
        return await uow.notifications.list_for_recipients(recipients, before_id, limit)
