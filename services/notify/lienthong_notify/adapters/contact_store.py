"""Citizen contacts at rest: found by a blind index of the personal ID, e-mail and phone sealed together.

The row holds no clear personal data: ``personal_id_index`` is a keyed HMAC of the personal ID, ``sealed`` is
AES-256-GCM (key id in ``key_id``) over ``{"email", "phone_number"}`` bound to that index, so a sealed value
copied to another row does not open. Keys come from settings (``lienthong_runtime.keys_at_rest``); only dev mode
generates them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from lienthong_runtime.crypto import BlindIndex, Keyring

from ..domain.contacts import Contact
from ..handlers.ports import ContactRepository
from .tables import contacts

INDEX_KIND = "personal_id"
AAD = b"notify.contacts.sealed:"


class ContactSeal:
    """Finds and seals contacts under notify's keyring and blind index (no database involved)."""

    def __init__(self, keyring: Keyring, index: BlindIndex) -> None:
        self.keyring = keyring
        self.index = index

    def key(self, personal_id: str) -> bytes:
        return self.index.digest(INDEX_KIND, personal_id.strip())

    def seal(self, key: bytes, contact: Contact) -> tuple[str, bytes]:
        return self.keyring.seal_json(
            {"email": contact.email, "phone_number": contact.phone_number}, AAD + key
        )

    def open(self, key: bytes, key_id: str, sealed: bytes) -> Contact:
        data = self.keyring.open_json(key_id, bytes(sealed), AAD + key)
        if not isinstance(data, dict):
            raise ValueError("a sealed contact is not an object")
        return Contact(email=str(data.get("email", "")), phone_number=str(data.get("phone_number", "")))


class SqlContactRepository(ContactRepository):
    """The ``contacts`` table on one transaction's connection."""

    def __init__(self, conn: AsyncConnection, seal: ContactSeal) -> None:
        self.conn = conn
        self.sealer = seal

    async def change_time(self, personal_id: str) -> datetime | None:
        stored = await self.conn.scalar(
            select(contacts.c.change_time).where(contacts.c.personal_id_index == self.sealer.key(personal_id))
        )
        return _aware(stored) if stored is not None else None

    async def put(self, personal_id: str, contact: Contact, change_time: datetime, now: datetime) -> None:
        key = self.sealer.key(personal_id)
        key_id, sealed = self.sealer.seal(key, contact)
        values = {"key_id": key_id, "sealed": sealed, "change_time": change_time, "update_time": now}
        updated = await self.conn.execute(
            update(contacts).where(contacts.c.personal_id_index == key).values(**values)
        )
        if not updated.rowcount:  # type: ignore[attr-defined]
            await self.conn.execute(insert(contacts).values(personal_id_index=key, **values))

    async def remove(self, personal_id: str) -> None:
        await self.conn.execute(
            delete(contacts).where(contacts.c.personal_id_index == self.sealer.key(personal_id))
        )

    async def get(self, personal_id: str) -> Contact | None:
        """The contact on file for ``personal_id``, or None."""
        key = self.sealer.key(personal_id)
        row = (
            await self.conn.execute(
                select(contacts.c.key_id, contacts.c.sealed).where(contacts.c.personal_id_index == key)
            )
        ).first()
        return self.sealer.open(key, row.key_id, row.sealed) if row is not None else None


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; they are stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
