"""Protection of personal data at rest, shared by every service that stores it.

* :class:`Keyring`: AES-256-GCM with a key id stored beside each ciphertext, so keys rotate (new data under the
  active key, old rows readable while their key stays in the ring). Associated data binds a ciphertext to its
  row and column, so a ciphertext copied elsewhere does not decrypt.
* :class:`BlindIndex`: keyed HMAC-SHA256 digests of normalised values, for equality lookups without clear text.
* :func:`seal_event` / :class:`UnsealingBus`: outbox rows whose events carry personal data are stored sealed
  and unsealed by the relay's bus just before publishing.
* :func:`load_keyring` / :func:`load_key`: keys from settings (``kid:base64url,kid2:base64url``); only in dev
  mode are missing keys generated once into the data folder (mode 0600). Production refuses to start without.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lienthong.common.v1.events_pb2 import EventEnvelope

log = logging.getLogger("lienthong.crypto")

NONCE_BYTES = 12


class MissingKey(RuntimeError):
    """A key that production must configure is not set."""


def b64decode(text: str) -> bytes:
    """Base64 or base64url, padding optional."""
    text = text.strip()
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def derive_key(secret: bytes, purpose: str, length: int = 32) -> bytes:
    """A key for ``purpose`` derived from ``secret`` (HKDF-SHA256), so one configured secret can serve several."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose.encode()).derive(secret)


class Keyring:
    """Seals with the active key; opens with whichever key id a row names."""

    def __init__(self, keys: dict[str, bytes], active: str | None = None) -> None:
        if not keys:
            raise ValueError("a keyring needs at least one key")
        active = active or list(keys)[-1]
        if active not in keys:
            raise ValueError("the active key id is not in the keyring")
        for kid, key in keys.items():
            if len(key) != 32:
                raise ValueError(f"key {kid!r} must be 32 bytes (AES-256)")
            if not 0 < len(kid.encode()) < 256:
                raise ValueError("a key id must have 1 to 255 bytes")
        self._keys = dict(keys)
        self._aead = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active = active

    def __reduce__(self) -> tuple[object, ...]:  # picklable, for worker processes (bulk imports)
        return (Keyring, (self._keys, self.active))

    @classmethod
    def parse(cls, text: str, active: str | None = None) -> Keyring:
        """``kid:base64,kid2:base64`` (the last is active unless ``active`` names another)."""
        keys: dict[str, bytes] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            kid, sep, value = item.partition(":")
            if not sep or not kid.strip():
                raise ValueError("keyring entries are 'key_id:base64'")
            keys[kid.strip()] = b64decode(value)
        return cls(keys, active)

    def key_ids(self) -> list[str]:
        return list(self._aead)

    def seal(self, plaintext: bytes, aad: bytes) -> tuple[str, bytes]:
        """``(key id, nonce + ciphertext)`` under the active key."""
        nonce = os.urandom(NONCE_BYTES)
        return self.active, nonce + self._aead[self.active].encrypt(nonce, plaintext, aad)

    def open(self, key_id: str, blob: bytes, aad: bytes) -> bytes:
        """The plaintext; raises ``KeyError`` for an unknown key id, ``InvalidTag`` for tampered data."""
        return self._aead[key_id].decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)

    def seal_packed(self, plaintext: bytes, aad: bytes) -> bytes:
        """For a single column: ``len(key id) | key id | nonce + ciphertext`` under the active key."""
        kid, blob = self.seal(plaintext, aad)
        raw = kid.encode()
        return bytes([len(raw)]) + raw + blob

    def open_packed(self, packed: bytes, aad: bytes) -> bytes:
        """The plaintext of :meth:`seal_packed`'s output (same errors as :meth:`open`)."""
        end = 1 + packed[0]
        return self.open(packed[1:end].decode(), packed[end:], aad)

    def seal_text(self, text: str, aad: bytes) -> tuple[str, bytes]:
        return self.seal(text.encode("utf-8"), aad)

    def open_text(self, key_id: str, blob: bytes, aad: bytes) -> str:
        return self.open(key_id, blob, aad).decode("utf-8")

    def seal_json(self, data: object, aad: bytes) -> tuple[str, bytes]:
        return self.seal(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), aad)

    def open_json(self, key_id: str, blob: bytes, aad: bytes) -> object:
        return json.loads(self.open(key_id, blob, aad))


class BlindIndex:
    """Deterministic keyed digests: equal inputs give equal digests; without the key nothing is learnt."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("a blind-index key must be at least 32 bytes")
        self._key = key
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def __reduce__(self) -> tuple[object, ...]:  # picklable, for worker processes (bulk imports)
        return (type(self), (self._key,))

    def digest(self, kind: str, value: str) -> bytes:
        """The digest of ``value`` (already normalised by the caller) in the namespace ``kind``."""
        mac = self._keyed.copy()
        mac.update(kind.encode() + b"\x00" + value.encode("utf-8"))
        return mac.digest()


#: ``payload.type_url`` prefix of a sealed envelope; the key id follows it.
SEALED_EVENT = "type.lienthong.vn/lienthong.sealed/"


def seal_event(keyring: Keyring, event: EventEnvelope, prefix: str = SEALED_EVENT) -> EventEnvelope:
    """The envelope to store in the outbox for ``event``: id, type, source, time and agency stay in clear (the
    relay and the bus route by them); the whole original envelope is the payload, sealed and bound to its id."""
    key_id, blob = keyring.seal(event.SerializeToString(), event.id.encode())
    sealed = EventEnvelope(
        id=event.id, type=event.type, source=event.source, time=event.time, agency_id=event.agency_id
    )
    sealed.payload.type_url = prefix + key_id
    sealed.payload.value = blob
    return sealed


def unseal_event(keyring: Keyring, event: EventEnvelope, prefix: str = SEALED_EVENT) -> EventEnvelope:
    """The original envelope (unchanged when it was not sealed)."""
    if not event.payload.type_url.startswith(prefix):
        return event
    original = EventEnvelope()
    original.ParseFromString(
        keyring.open(event.payload.type_url.removeprefix(prefix), event.payload.value, event.id.encode())
    )
    return original


class UnsealingBus:
    """Wraps the real bus for an outbox relay: unseals each envelope just before publishing it."""

    def __init__(self, bus: Any, keyring: Keyring, prefix: str = SEALED_EVENT) -> None:
        self.bus, self.keyring, self.prefix = bus, keyring, prefix

    async def publish(self, event: EventEnvelope) -> None:
        await self.bus.publish(unseal_event(self.keyring, event, self.prefix))

    async def subscribe(self, consumer: str, types: Sequence[str], handler: Any) -> None:
        await self.bus.subscribe(consumer, types, handler)

    async def close(self) -> None:
        await self.bus.close()


def dev_secret(data_dir: str | Path, name: str, *, nbytes: int = 32) -> bytes:
    """A random secret kept in ``<data_dir>/<name>`` (created once, mode 0600). Development only."""
    path = Path(data_dir) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process of the same dev run created it first
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(b64encode(os.urandom(nbytes)))
            log.warning(
                "dev mode: generated a key into the data folder; never do this in production",
                extra={"key_file": str(path)},
            )
    return b64decode(path.read_text(encoding="utf-8"))


def load_key(configured: str, *, setting: str, dev_mode: bool, data_dir: str | Path, dev_name: str) -> bytes:
    """A single key from a setting (base64/base64url); in dev mode generated once; else :class:`MissingKey`."""
    if configured.strip():
        return b64decode(configured)
    if not dev_mode:
        raise MissingKey(f"{setting} (or {setting}_FILE) is required outside dev mode")
    return dev_secret(data_dir, dev_name)


def load_keyring(
    configured: str,
    *,
    setting: str,
    dev_mode: bool,
    data_dir: str | Path,
    dev_name: str,
    active: str | None = None,
) -> Keyring:
    """A keyring from a setting (``kid:base64,...``); in dev mode one generated key ``dev1``; else refuse."""
    if configured.strip():
        return Keyring.parse(configured, active)
    if not dev_mode:
        raise MissingKey(f"{setting} (or {setting}_FILE) is required outside dev mode")
    return Keyring({"dev1": dev_secret(data_dir, dev_name)})
