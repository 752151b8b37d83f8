"""Brute force and throttling, and who the platform believes a caller is (finding 2: ``X-Forwarded-For`` was
taken from anyone, so a forged address per call turned the per-address login throttle off and the audit
recorded forged addresses). Forwarded headers are believed only from the platform's own proxies."""

from __future__ import annotations

import asyncio
import random
import uuid

import grpc

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc

from .attack import bearer
from .platforms import Target
from .tally import Cases

EXHAUSTED = grpc.StatusCode.RESOURCE_EXHAUSTED


def _forged() -> tuple[tuple[str, str], ...]:
    address = f"203.0.113.{random.randint(1, 254)}"
    return (("x-forwarded-for", address), ("x-real-ip", address), ("forwarded", f"for={address}"))


def _unknown_pid() -> str:
    """A well-formed personal ID (Hà Nội, 21st-century male, born 2000-2020) that has no account."""
    return f"0012{random.randint(0, 20):02d}{random.randint(0, 999_999):06d}"


async def _login(channel: grpc.aio.Channel, pid: str) -> grpc.StatusCode:
    try:
        await identity_pb2_grpc.IdentityServiceStub(channel).Login(
            identity_pb2.LoginRequest(personal_id=pid, password="sai-mật-khẩu-rồi"),
            metadata=_forged(),
            timeout=20,
        )
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


async def test_a_forged_address_per_call_does_not_escape_the_login_throttle(target: Target) -> None:
    cases = Cases("throttling", target.name)
    for door, address in (("gateway", target.gateway), ("identity", target.services["identity"])):
        async with target.channel(address) as channel:
            codes = [await _login(channel, _unknown_pid()) for _ in range(24)]
        cases.check(
            f"failed logins from one source get throttled despite forged addresses @ {door}",
            EXHAUSTED in codes,
            " ".join(c.name for c in codes),
        )
        cases.check(f"every refusal is a clean status @ {door}", grpc.StatusCode.INTERNAL not in codes)
    # One account under attack is throttled whatever the source.
    pid = _unknown_pid()
    async with target.channel() as channel:
        codes = [await _login(channel, pid) for _ in range(8)]
    cases.check("one account's failures are throttled", EXHAUSTED in codes, " ".join(c.name for c in codes))
    await asyncio.sleep(2.0)  # let the next test's logins start from a quieter source
    cases.done()


async def test_the_audit_records_the_real_source_not_the_forged_one(target: Target) -> None:
    cases = Cases("throttling", target.name)
    forged = f"198.51.100.{random.randint(1, 254)}"
    client_id = target.credentials["client_id"]
    for address in (target.gateway, target.services["identity"]):
        async with target.channel(address) as channel:
            try:
                await identity_pb2_grpc.IdentityServiceStub(channel).IssueToken(
                    identity_pb2.IssueTokenRequest(
                        client_id=client_id, client_secret=f"wrong-{uuid.uuid4().hex}"
                    ),
                    metadata=(("x-forwarded-for", forged),),
                )
            except grpc.aio.AioRpcError:
                pass
    token = await target.operator_token("identity.audit.read", "platform.admin")
    async with target.channel() as channel:
        events = await identity_pb2_grpc.IdentityServiceStub(channel).ListAuditEvents(
            identity_pb2.ListAuditEventsRequest(page_size=200), metadata=bearer(token)
        )
    sources = {e.source_ip for e in events.events}
    cases.check(
        "the audit holds the failed attempts", any(e.reason == "INVALID_CLIENT" for e in events.events)
    )
    cases.check("no audit event carries the forged address", forged not in sources, str(sorted(sources)))
    cases.done()


async def test_anonymous_callers_share_their_real_address_budget(target: Target) -> None:
    """The gateway's per-address budget for calls without a token keys on the real address."""
    cases = Cases("throttling", target.name)
    async with target.channel() as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        codes = []
        for _ in range(120):
            try:
                await identity.GetJwks(identity_pb2.GetJwksRequest(), metadata=_forged(), timeout=10)
                codes.append(grpc.StatusCode.OK)
            except grpc.aio.AioRpcError as error:
                codes.append(error.code())
    cases.check("a burst of anonymous calls meets the per-address budget", EXHAUSTED in codes)
    await asyncio.sleep(3.0)  # the budget refills before the next test asks for tokens (a public method)
    cases.done()
