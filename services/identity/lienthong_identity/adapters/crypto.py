"""Encryption at rest: the key-encryption key (KEK), AES-256-GCM sealing, and keys derived from the KEK.

Production must configure ``LIENTHONG_IDENTITY_KEY_ENCRYPTION_KEY`` (or ``..._FILE``); without it the service
refuses to start. Only dev mode (or the embedded mode: SQLite migrated at start) generates one into the data
folder (mode 0600) so the demo survives restarts.
"""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import make_url

from lienthong_runtime.config import secret_value
from lienthong_runtime.db import is_sqlite

from ..config import Settings

log = logging.getLogger("lienthong.identity")
KEK_FILE = "identity-kek"


class MissingKeyEncryptionKey(RuntimeError):
    """No KEK configured outside dev mode."""


def _decode_key(text: str) -> bytes:
    raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    if len(raw) != 32:
        raise ValueError("the key-encryption key must be 32 bytes, base64url-encoded")
    return raw


def data_dir(settings: Settings) -> Path:
    if settings.data_dir:
        return Path(settings.data_dir)
    if is_sqlite(settings.database_url):
        database = make_url(settings.database_url).database
        if database and database != ":memory:":
            return Path(database).parent
    return Path(".lienthong")


def dev_allowed(settings: Settings) -> bool:
    """Dev mode, or the embedded mode (SQLite, migrated at start) that ``lienthong dev`` runs."""
    return settings.dev_mode or (settings.migrate_on_start and is_sqlite(settings.database_url))


def load_kek(settings: Settings) -> bytes:
    """The KEK from settings; in dev mode read or generate ``<data dir>/identity-kek``; else refuse."""
    configured = secret_value(settings.key_encryption_key)
    if configured:
        return _decode_key(configured)
    if not dev_allowed(settings):
        raise MissingKeyEncryptionKey(
            "LIENTHONG_IDENTITY_KEY_ENCRYPTION_KEY (or _FILE) is required; set LIENTHONG_IDENTITY_DEV_MODE=1 "
            "only on a development machine"
        )
    path = data_dir(settings) / KEK_FILE
    if path.exists():
        return _decode_key(path.read_text(encoding="utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="))
    log.warning("dev mode: generated a key-encryption key into the data folder; never do this in production")
    return _decode_key(path.read_text(encoding="utf-8"))


def derive(kek: bytes, purpose: str) -> bytes:
    """A 32-byte key for ``purpose`` derived from the KEK (HKDF-SHA256), so one secret configures all."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(kek)


class Sealer:
    """AES-256-GCM with a random 96-bit nonce; the associated data binds a ciphertext to its row and column."""

    VERSION = b"\x01"

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(12)
        return self.VERSION + nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def open(self, sealed: bytes, context: str) -> bytes:
        if sealed[:1] != self.VERSION:
            raise ValueError("unknown sealed-data version")
        return self._aead.decrypt(sealed[1:13], sealed[13:], context.encode())

    def seal_text(self, text: str, context: str) -> bytes:
        return self.seal(text.encode("utf-8"), context)

    def open_text(self, sealed: bytes | None, context: str) -> str:
        return self.open(sealed, context).decode("utf-8") if sealed else ""


def pepper(settings: Settings, kek: bytes) -> bytes:
    """The client-secret/blind-index pepper: configured, or derived from the KEK."""
    configured = secret_value(settings.client_secret_pepper)
    return (
        configured.encode("utf-8") if configured else derive(kek, "lienthong-identity/client-secret-pepper")
    )
