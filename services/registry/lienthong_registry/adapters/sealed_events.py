"""Events leave the registry through the outbox sealed: the stored envelope keeps its id, type and time in clear
but its payload (which carries the personal ID) is AES-GCM ciphertext; the relay's bus unseals it just before
publishing. A database dump therefore shows no personal IDs, published or not."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lienthong.common.v1.events_pb2 import EventEnvelope

from .crypto import Keyring

SEALED_PREFIX = "type.lienthong.vn/lienthong.registry.sealed/"


def seal(keyring: Keyring, event: EventEnvelope) -> EventEnvelope:
    """The envelope to store in the outbox for ``event``."""
    key_id, blob = keyring.seal(event.SerializeToString(), event.id.encode())
    sealed = EventEnvelope(
        id=event.id, type=event.type, source=event.source, time=event.time, agency_id=event.agency_id
    )
    sealed.payload.type_url = SEALED_PREFIX + key_id
    sealed.payload.value = blob
    return sealed


def unseal(keyring: Keyring, event: EventEnvelope) -> EventEnvelope:
    """The original envelope (unchanged when it was not sealed)."""
    if not event.payload.type_url.startswith(SEALED_PREFIX):
        return event
    key_id = event.payload.type_url.removeprefix(SEALED_PREFIX)
    original = EventEnvelope()
    original.ParseFromString(keyring.open(key_id, event.payload.value, event.id.encode()))
    return original


class UnsealingBus:
    """Wraps the real bus for the outbox relay: unseals each envelope before publishing it."""

    def __init__(self, bus: Any, keyring: Keyring) -> None:
        self.bus, self.keyring = bus, keyring

    async def publish(self, event: EventEnvelope) -> None:
        await self.bus.publish(unseal(self.keyring, event))

    async def subscribe(self, consumer: str, types: Sequence[str], handler: Any) -> None:
        await self.bus.subscribe(consumer, types, handler)

    async def close(self) -> None:
        await self.bus.close()
