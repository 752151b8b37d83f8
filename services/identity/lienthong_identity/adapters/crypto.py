"""Encryption at rest: the key-encryption key (KEK) and the runtime keyring and blind index derived from it.

Production must configure ``LIENTHONG_IDENTITY_KEY_ENCRYPTION_KEY`` (or ``..._FILE``): 32 random bytes,
base64url. Without it the service refuses to start (``lienthong_runtime.crypto.MissingKey``); only dev mode
generates one into the data folder (mode 0600) so the demo survives restarts.
"""

from __future__ import annotations

from lienthong_runtime.config import data_folder, secret_value
from lienthong_runtime.crypto import Keyring, b64encode, derive_key, load_key

from ..config import Settings

KEK_FILE = "identity-kek"


def load_kek(settings: Settings) -> bytes:
    """The KEK from settings; in dev mode read or generated once as ``<data folder>/identity-kek``."""
    kek = load_key(
        secret_value(settings.key_encryption_key),
        setting="LIENTHONG_IDENTITY_KEY_ENCRYPTION_KEY",
        dev_mode=settings.dev_mode,
        data_dir=data_folder(settings),
        dev_name=KEK_FILE,
    )
    if len(kek) != 32:
        raise ValueError("the key-encryption key must be 32 bytes, base64url-encoded")
    return kek


def keyring(kek: bytes) -> Keyring:
    """The sealing keyring: one AES-256-GCM key derived from the KEK. Its key id, stored in every ciphertext
    (``Keyring.seal_packed``), is a fingerprint of the KEK, so rows sealed under a later KEK can be told apart."""
    kid = "kek-" + b64encode(derive_key(kek, "lienthong-identity/key-id", 9))
    return Keyring({kid: derive_key(kek, "lienthong-identity/sealing")})


def pepper(settings: Settings, kek: bytes) -> bytes:
    """The client-secret/blind-index pepper: configured, or derived from the KEK."""
    configured = secret_value(settings.client_secret_pepper)
    return (
        configured.encode("utf-8")
        if configured
        else derive_key(kek, "lienthong-identity/client-secret-pepper")
    )


def open_text(ring: Keyring, sealed: bytes | None, aad: str) -> str:
    """The clear text of an optional sealed column ('' when empty)."""
    return ring.open_packed(sealed, aad.encode()).decode("utf-8") if sealed else ""


def seal_text(ring: Keyring, text: str, aad: str) -> bytes:
    """``text`` sealed for one column, bound to ``aad`` (table, row and column)."""
    return ring.seal_packed(text.encode("utf-8"), aad.encode())
