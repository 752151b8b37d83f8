"""Citizen contacts at rest: found by a blind index of the personal ID, e-mail and phone sealed together.

The row holds no clear personal data: ``personal_id_index`` is a keyed HMAC of the personal ID, ``sealed`` is
AES-256-GCM (key id in ``key_id``) over ``{"email", "phone_number"}`` bound to that index, so a sealed value
copied to another row does not open. Keys come from settings (see config.py); only dev mode generates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from lienthong_runtime.config import data_folder, secret_value
from lienthong_runtime.crypto import BlindIndex, Keyring, load_key, load_keyring

from ..config import Settings
from .tables import contacts

INDEX_KIND = "personal_id"
AAD = b"notify.contacts.sealed:"


@dataclass(frozen=True)
class Contact:
    """How a citizen can be reached; either part may be empty."""

    email: str
    phone_number: str


class ContactBook:
    """Reads and writes :data:`contacts` inside the caller's transaction."""

    def __init__(self, keyring: Keyring, index: BlindIndex) -> None:
        self.keyring = keyring
        self.index = index

    def _key(self, personal_id: str) -> bytes:
        return self.index.digest(INDEX_KIND, personal_id.strip())

    async def put(
        self,
        session: AsyncConnection,
        personal_id: str,
        contact: Contact,
        change_time: datetime,
        now: datetime,
    ) -> bool:
        """Store ``contact`` unless a newer change is on file (events may arrive out of order); an empty
        contact removes the row. True when the stored state changed."""
        key = self._key(personal_id)
        stored = await session.scalar(
            select(contacts.c.change_time).where(contacts.c.personal_id_index == key)
        )
        if stored is not None and _aware(stored) > change_time:
            return False
        if not (contact.email or contact.phone_number):
            await session.execute(delete(contacts).where(contacts.c.personal_id_index == key))
            return stored is not None
        key_id, sealed = self.keyring.seal_json(
            {"email": contact.email, "phone_number": contact.phone_number}, AAD + key
        )
        values = {"key_id": key_id, "sealed": sealed, "change_time": change_time, "update_time": now}
        if stored is None:
            await session.execute(insert(contacts).values(personal_id_index=key, **values))
        else:
            await session.execute(
                update(contacts).where(contacts.c.personal_id_index == key).values(**values)
            )
        return True

    async def get(self, session: AsyncConnection, personal_id: str) -> Contact | None:
        """The contact on file for ``personal_id``, or None."""
        key = self._key(personal_id)
        row = (
            await session.execute(
                select(contacts.c.key_id, contacts.c.sealed).where(contacts.c.personal_id_index == key)
            )
        ).first()
        if row is None:
            return None
        data = self.keyring.open_json(row.key_id, row.sealed, AAD + key)
        assert isinstance(data, dict)
        return Contact(email=str(data.get("email", "")), phone_number=str(data.get("phone_number", "")))


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; they are stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def load_contact_book(settings: Settings) -> ContactBook:
    """The keyring and blind index from settings; outside dev mode missing keys refuse the start
    (:class:`lienthong_runtime.crypto.MissingKey`)."""
    folder = data_folder(settings)
    keyring = load_keyring(
        secret_value(settings.encryption_keys),
        setting="LIENTHONG_NOTIFY_ENCRYPTION_KEYS",
        dev_mode=settings.dev_mode,
        data_dir=folder,
        dev_name="notify-contacts.key",
        active=settings.encryption_active_key or None,
    )
    index_key = load_key(
        secret_value(settings.blind_index_key),
        setting="LIENTHONG_NOTIFY_BLIND_INDEX_KEY",
        dev_mode=settings.dev_mode,
        data_dir=folder,
        dev_name="notify-blind-index.key",
    )
    return ContactBook(keyring, BlindIndex(index_key))
