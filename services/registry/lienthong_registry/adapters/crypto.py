"""Protection at rest: an AES-256-GCM keyring (key id stored beside each ciphertext, for rotation) and keyed
blind indexes (HMAC-SHA256 of normalised values) for lookups without clear text."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lienthong_runtime.config import secret_value
from lienthong_runtime.db import is_sqlite

from ..config import Settings
from ..domain.names import name_key

NONCE = 12
log = logging.getLogger("lienthong.registry")


class Keyring:
    """Seals with the active key; opens with whichever key id a row names."""

    def __init__(self, keys: dict[str, bytes], active: str) -> None:
        if active not in keys:
            raise ValueError("the active encryption key id is not in the keyring")
        for kid, key in keys.items():
            if len(key) != 32:
                raise ValueError(f"encryption key {kid!r} must be 32 bytes")
        self._aead = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active = active

    def seal(self, plaintext: bytes, aad: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(NONCE)
        return self.active, nonce + self._aead[self.active].encrypt(nonce, plaintext, aad)

    def open(self, key_id: str, blob: bytes, aad: bytes) -> bytes:
        return self._aead[key_id].decrypt(blob[:NONCE], blob[NONCE:], aad)

    def seal_json(self, data: object, aad: bytes) -> tuple[str, bytes]:
        return self.seal(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), aad)

    def open_json(self, key_id: str, blob: bytes, aad: bytes) -> object:
        return json.loads(self.open(key_id, blob, aad))


class BlindIndex:
    """Deterministic keyed digests: equal inputs give equal digests, and without the key nothing is learnt."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the blind index key must be at least 32 bytes")
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def _mac(self, kind: bytes, value: str) -> bytes:
        mac = self._keyed.copy()
        mac.update(kind + b"\x00" + value.encode())
        return mac.digest()

    def personal_id(self, personal_id: str) -> bytes:
        return self._mac(b"pid", personal_id.strip())

    def name_birth(self, full_name: str, birth_iso: str, province_code: str = "") -> bytes:
        return self._mac(b"name-dob", f"{name_key(full_name)}|{birth_iso}|{province_code}")

    def household(self, household_id: str) -> bytes:
        return self._mac(b"household", household_id)


def _parse_keyring(text: str) -> dict[str, bytes]:
    keys = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        kid, _, value = item.partition(":")
        keys[kid.strip()] = base64.b64decode(value.strip(), validate=True)
    return keys


def _dev_key_file(settings: Settings) -> Path:
    if settings.data_dir:
        folder = Path(settings.data_dir)
    elif is_sqlite(settings.database_url) and ":memory:" not in settings.database_url:
        folder = Path(settings.database_url.split("///", 1)[1]).parent
    else:
        folder = Path(".lienthong")
    return folder / "registry-keys.json"


def _dev_keys(settings: Settings) -> dict[str, str]:
    path = _dev_key_file(settings)
    if path.exists():
        return dict(json.loads(path.read_text()))
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "encryption_keys": "dev1:" + base64.b64encode(os.urandom(32)).decode(),
        "blind_index_key": base64.b64encode(os.urandom(32)).decode(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    log.warning(
        "dev mode: generated registry encryption and blind-index keys into the data folder; "
        "never do this in production"
    )
    return data


def load_key_material(settings: Settings) -> tuple[dict[str, bytes], str, bytes]:
    """Keyring, active key id and blind-index key from settings; in development generated once into the data
    folder; production refuses to start without them."""
    ring, index = secret_value(settings.encryption_keys), secret_value(settings.blind_index_key)
    if not ring or not index:
        if settings.environment == "production":
            raise RuntimeError(
                "registry: LIENTHONG_REGISTRY_ENCRYPTION_KEYS and LIENTHONG_REGISTRY_BLIND_INDEX_KEY "
                "are required in production"
            )
        dev = _dev_keys(settings)
        ring, index = ring or dev["encryption_keys"], index or dev["blind_index_key"]
    keys = _parse_keyring(ring)
    return keys, settings.encryption_active_key or list(keys)[-1], base64.b64decode(index, validate=True)


def load_keys(settings: Settings) -> tuple[Keyring, BlindIndex]:
    """The keyring and blind index of :func:`load_key_material`."""
    keys, active, index = load_key_material(settings)
    return Keyring(keys, active), BlindIndex(index)
