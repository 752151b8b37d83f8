"""Protection at rest of the payer's e-mail with the runtime keyring (``lienthong_runtime.crypto``).

The key id is stored beside each ciphertext (rotation: add a key, old rows still open) and the associated data
binds a ciphertext to its payment, so one copied onto another row does not open.
"""

from __future__ import annotations

from typing import Any

from lienthong_runtime.crypto import Keyring

KEY_ID, SEALED = "payer_email_key_id", "payer_email_sealed"
#: The dev-mode key file in the data folder (``lienthong_runtime.keys_at_rest``); kept so old dev data opens.
DEV_KEY_FILE = "payment-encryption-key"


def _aad(payment_id: str) -> bytes:
    return f"payments:{payment_id}:payer_email".encode()


def seal_email(keyring: Keyring, payment_id: str, email: str) -> dict[str, Any]:
    """The column values holding ``email`` (both NULL when there is none)."""
    if not email:
        return {KEY_ID: None, SEALED: None}
    key_id, blob = keyring.seal_text(email, _aad(payment_id))
    return {KEY_ID: key_id, SEALED: blob}


def open_email(keyring: Keyring, payment_id: str, key_id: str | None, sealed: bytes | None) -> str:
    """The e-mail of a row ('' when there is none)."""
    return keyring.open_text(key_id, sealed, _aad(payment_id)) if key_id and sealed else ""
