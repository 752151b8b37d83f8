"""A notification's personal fields at rest: its recipient, subject and body are stored only sealed
(AES-256-GCM under notify's keyring, bound to the notification id), never in clear; the clear columns of rows
written before sealing (migration 0006) are read while they remain."""

from __future__ import annotations

from typing import Any

from lienthong_runtime.crypto import BlindIndex, Keyring

from ..domain.notifications import Notification


class PersonalFields:
    """Seals and opens the personal fields of a notification row (``key_id`` + ``sealed``)."""

    def __init__(self, keyring: Keyring, index: BlindIndex | None = None) -> None:
        self.keyring = keyring
        self.index = index

    def recipient_index(self, recipient: str) -> bytes | None:
        """The blind index of a recipient address (as stored: already normalised), or None without an index key."""
        return self.index.digest("notification.recipient", recipient) if self.index else None

    def seal(self, n: Notification) -> dict[str, Any]:
        key_id, blob = self.keyring.seal_json(
            {"recipient": n.recipient, "subject": n.subject, "body": n.body}, _aad(n.id)
        )
        return {
            "recipient": "",
            "subject": "",
            "body": "",
            "key_id": key_id,
            "sealed": blob,
            "recipient_index": self.recipient_index(n.recipient),
        }

    def open(self, m: Any) -> dict[str, str]:
        if not m["sealed"]:  # a row stored before sealing
            return {"recipient": m["recipient"], "subject": m["subject"], "body": m["body"]}
        data = self.keyring.open_json(m["key_id"], bytes(m["sealed"]), _aad(m["id"]))
        if not isinstance(data, dict):
            raise ValueError("sealed personal fields are not an object")
        return {k: str(data.get(k, "")) for k in ("recipient", "subject", "body")}


def _aad(notification_id: str) -> bytes:
    return f"notify.notifications:{notification_id}".encode()
