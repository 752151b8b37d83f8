"""Events leave the registry through the outbox sealed (``lienthong_runtime.crypto.seal_event``): the stored
envelope keeps its id, type and time in clear but its payload (which carries the personal ID) is AES-GCM
ciphertext; the relay's bus unseals it just before publishing. A database dump therefore shows no personal IDs,
published or not. The registry keeps its own type-URL prefix, so rows sealed before the move still open."""

from __future__ import annotations

from typing import Any

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong_runtime import crypto

from .crypto import Keyring

SEALED_PREFIX = "type.lienthong.vn/lienthong.registry.sealed/"


def seal(keyring: Keyring, event: EventEnvelope) -> EventEnvelope:
    """The envelope to store in the outbox for ``event``."""
    return crypto.seal_event(keyring, event, SEALED_PREFIX)


def unsealing_bus(bus: Any, keyring: Keyring) -> crypto.UnsealingBus:
    """The relay's bus: unseals the registry's envelopes just before publishing them."""
    return crypto.UnsealingBus(bus, keyring, SEALED_PREFIX)
