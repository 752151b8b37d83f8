"""Identity's events reach any verifier: revocations refuse cached tokens, a key rotation refreshes the keys."""

import asyncio
import time

from google.protobuf import timestamp_pb2

from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong_runtime.auth import KeySource, TokenVerifier
from lienthong_runtime.errors import Unauthenticated
from lienthong_runtime.events import MemoryBus, envelope
from lienthong_runtime.identity_events import IdentityEvents
from lienthong_runtime.testing import TokenMint


def _ts(seconds: float) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=int(seconds))


async def _refused(verifier, token) -> str | None:
    """The refusal reason, or None when the token is accepted."""
    try:
        await verifier.verify(token)
    except Unauthenticated as error:
        return error.reason
    return None


async def _settle(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "the event was not applied in time"
        await asyncio.sleep(0.02)


async def test_identity_events_update_a_services_verifier():
    mint = TokenMint()
    verifier = mint.verifier()
    bus = MemoryBus(redelivery_delay=0.01)
    await IdentityEvents(verifier.revocations, verifier.keys).subscribe(bus, "registry")
    token = mint.token(["registry.citizens.read"], agency="ag-1", subject="cl-1")
    principal = await verifier.verify(token)

    async def refused_with(reason):
        return await _refused(verifier, token) == reason

    await bus.publish(envelope("identity", identity_events.ClientDisabled(client_id="cl-1")))
    await _settle(lambda: refused_with("CLIENT_DISABLED"))
    verifier.revocations.disabled_clients.clear()
    await bus.publish(
        envelope(
            "identity",
            identity_events.TokenRevoked(token_id=principal.token_id, expire_time=_ts(principal.expires_at)),
        )
    )
    await _settle(lambda: refused_with("TOKEN_REVOKED"))

    other = mint.token(["registry.citizens.read"], agency="ag-2")
    await verifier.verify(other)
    await bus.publish(envelope("identity", identity_events.AgencySuspended(agency_id="ag-2")))

    async def suspended():
        return await _refused(verifier, other) == "AGENCY_SUSPENDED"

    await _settle(suspended)
    await bus.publish(
        envelope(
            "identity", identity_events.AgencyResumed(agency_id="ag-2", resume_time=_ts(time.time() + 1))
        )
    )
    await asyncio.sleep(0.1)
    # Tokens issued before the resumption stay refused; new ones work.
    assert await _refused(verifier, other) == "AGENCY_SUSPENDED"
    fresh = mint.token(["registry.citizens.read"], agency="ag-2", iat=int(time.time()) + 2)
    assert (await verifier.verify(fresh)).agency_id == "ag-2"
    await bus.close()


async def test_key_rotation_event_refreshes_keys_before_the_first_new_token():
    old, new = TokenMint(), TokenMint()
    published = [old.jwks()]

    async def fetch():
        return published[-1]

    keys = KeySource(fetch, min_refresh_interval=3600)  # an unknown kid alone would not refresh for an hour
    verifier = TokenVerifier(keys, issuer=old.issuer, audience=old.audience)
    await verifier.verify(old.token(["x"]))
    bus = MemoryBus(redelivery_delay=0.01)
    await IdentityEvents(verifier.revocations, keys).subscribe(bus, "payment")
    published.append({"keys": old.jwks()["keys"] + new.jwks()["keys"]})
    await bus.publish(envelope("identity", identity_events.SigningKeyRotated()))

    async def knows_new_key():
        return new.kid in keys.kids()

    await _settle(knows_new_key)
    assert (await verifier.verify(new.token(["x"]))).subject
    await bus.close()
