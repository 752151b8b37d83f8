"""Tokens: forged, confused, stripped, widened, mis-scoped, revoked and suspended tokens are refused on every door
(the gateway and each service's own port), and no verifier fetches a key from a URL the token names."""

from __future__ import annotations

import asyncio
import time

import grpc
from aiohttp import web

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc

from .attack import PROBES, bearer, doors, forgeries, probe, status
from .platforms import Target
from .tally import Cases

UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED
ALL_SCOPES = tuple(scope for scope, _ in PROBES.values())


async def _jku_listener() -> tuple[web.AppRunner, str, list[str]]:
    fetched: list[str] = []

    async def jwks(request: web.Request) -> web.Response:
        fetched.append(request.path)
        return web.json_response({"keys": []})

    app = web.Application()
    app.router.add_get("/{tail:.*}", jwks)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/jwks.json", fetched


async def test_forged_and_confused_tokens_are_refused_on_every_door(target: Target) -> None:
    cases = Cases("tokens", target.name)
    real = await target.agency_token()
    async with target.channel() as channel:
        jwks = await identity_pb2_grpc.IdentityServiceStub(channel).GetJwks(identity_pb2.GetJwksRequest())
    runner, jku, fetched = await _jku_listener()
    try:
        for name, token in forgeries(real, jwks.jwks_json, jku).items():
            for door, address, block in doors(target):
                code = await probe(target, address, block, token)
                cases.check(f"{name} @ {door}", code == UNAUTHENTICATED, code.name)
        for door, address, block in doors(target):
            code = await probe(target, address, block, None)
            cases.check(f"no token @ {door}", code == UNAUTHENTICATED, code.name)
    finally:
        await runner.cleanup()
    cases.check("no verifier fetched the jku/x5u URL", not fetched, str(fetched))
    cases.done()


async def test_a_token_is_good_for_its_scopes_only(target: Target) -> None:
    cases = Cases("tokens", target.name)
    for granted in ALL_SCOPES:
        token = await target.agency_token(granted)
        for door, address, block in doors(target):
            code = await probe(target, address, block, token)
            expected = (
                grpc.StatusCode.OK if PROBES[block][0] == granted else grpc.StatusCode.PERMISSION_DENIED
            )
            cases.check(f"{granted} token @ {door}", code == expected, code.name)
    cases.done()


async def test_a_revoked_token_is_refused_everywhere(target: Target) -> None:
    cases = Cases("tokens", target.name)
    token = await target.agency_token(*ALL_SCOPES)
    async with target.channel() as channel:
        await identity_pb2_grpc.IdentityServiceStub(channel).RevokeToken(
            identity_pb2.RevokeTokenRequest(token=token)
        )
    for door, address, block in doors(target):
        code = await _eventually_refused(target, address, block, token)
        cases.check(f"revoked token @ {door}", code == UNAUTHENTICATED, code.name)
    cases.done()


async def test_a_token_from_before_a_suspension_stays_dead_after_the_resume(target: Target) -> None:
    """Finding 7: a token issued in the same second as SuspendAgency was accepted again after ResumeAgency by
    registry, payment and notify (the cut-off was compared at whole seconds)."""
    cases = Cases("tokens", target.name)
    agency = await target.new_agency(list(ALL_SCOPES))
    operator = await target.operator_token("identity.agencies.admin")
    while time.time() % 1 > 0.2:  # start early in a second: token, suspension and resume share it
        await asyncio.sleep(0.02)
    old = await target.token(agency["client_id"], agency["client_secret"])
    async with target.channel() as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        await identity.SuspendAgency(
            identity_pb2.SuspendAgencyRequest(agency_id=agency["agency_id"], reason="kiểm tra bảo mật"),
            metadata=bearer(operator),
        )
        await identity.ResumeAgency(
            identity_pb2.ResumeAgencyRequest(agency_id=agency["agency_id"]), metadata=bearer(operator)
        )
    fresh = await target.token(agency["client_id"], agency["client_secret"])
    # The doors learn of the suspension and the resume from identity's events (seconds on a loaded machine):
    # each must come to refuse the old token (suspension known) and accept the fresh one (resume known), and
    # once both are known still refuse the old one.
    for door, address, block in doors(target):
        await _eventually(target, address, block, old, UNAUTHENTICATED)
        code = await _eventually(target, address, block, fresh, grpc.StatusCode.OK)
        cases.check(f"post-resume token @ {door}", code == grpc.StatusCode.OK, code.name)
        code = await probe(target, address, block, old)
        cases.check(f"pre-suspension token @ {door}", code == UNAUTHENTICATED, code.name)
    cases.done()


async def _eventually_refused(target: Target, address: str, block: str, token: str) -> grpc.StatusCode:
    """Revocation travels as an event: allow it a few seconds to reach a service."""
    return await _eventually(target, address, block, token, UNAUTHENTICATED)


async def _eventually(
    target: Target, address: str, block: str, token: str, expected: grpc.StatusCode
) -> grpc.StatusCode:
    """The code ``token`` gets once identity's events have reached the door (polled for up to 10 s; the last
    code seen when it never turns to ``expected``)."""
    code = grpc.StatusCode.UNKNOWN
    for _ in range(100):
        code = await probe(target, address, block, token)
        if code == expected:
            return code
        await asyncio.sleep(0.1)
    return code


__all__ = ["status"]
