"""The portal's session handling against a fake front door (no browser): an expired access token is refreshed
once and the new tokens sealed into the cookie; a refused refresh ends the session; sign-in needs the CSRF token."""

from __future__ import annotations

import re

import grpc
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from lienthong.registry.v1 import registry_pb2
from lienthong_portal.front_door import LoginRefused, SessionEnded, Tokens
from lienthong_portal.session import Session, SessionCodec
from lienthong_portal.web import Portal
from lienthong_runtime.crypto import Keyring


def _unauthenticated() -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(grpc.StatusCode.UNAUTHENTICATED, grpc.aio.Metadata(), grpc.aio.Metadata())


class FakeFrontDoor:
    """Accepts the access token ``fresh``; refresh token ``good`` rotates to ``fresh``/``good2``."""

    def __init__(self) -> None:
        self.refreshed: list[str] = []

    async def login(self, personal_id: str, password: str, totp_code: str = "") -> Tokens:
        if password != "right":
            raise LoginRefused("INVALID_CREDENTIALS", grpc.StatusCode.UNAUTHENTICATED)
        return Tokens("fresh", "good")

    async def refresh(self, refresh_token: str) -> Tokens:
        self.refreshed.append(refresh_token)
        if refresh_token != "good":
            raise SessionEnded
        return Tokens("fresh", "good2")

    async def my_record(self, access_token: str) -> registry_pb2.Citizen:
        if access_token != "fresh":
            raise _unauthenticated()
        return registry_pb2.Citizen(personal_id="079303000001", full_name="Trần Thị Lan", version=1)

    async def close(self) -> None:
        return None


@pytest.fixture
async def portal():
    codec = SessionCodec(Keyring({"k": b"\x05" * 32}), secure=False, idle_seconds=600)
    front = FakeFrontDoor()
    app = web.Application()
    for method, path, handler in Portal(front, codec).routes():  # type: ignore[arg-type]
        app.router.add_route(method, path, handler)
    async with TestClient(TestServer(app)) as client:
        yield client, codec, front


def _cookie(codec: SessionCodec, session: Session) -> dict[str, str]:
    return {codec.cookie_name: codec.seal(session)}


async def test_an_expired_access_token_is_refreshed_once_and_resealed(portal):
    client, codec, front = portal
    cookies = _cookie(codec, Session(access_token="expired", refresh_token="good"))
    response = await client.get("/record", cookies=cookies, allow_redirects=False)
    assert response.status == 200 and "Trần Thị Lan" in await response.text()
    assert front.refreshed == ["good"]
    resealed = codec.open(response.cookies[codec.cookie_name].value)
    assert (resealed.access_token, resealed.refresh_token) == ("fresh", "good2")


async def test_a_refused_refresh_ends_the_session(portal):
    client, codec, front = portal
    cookies = _cookie(codec, Session(access_token="expired", refresh_token="reused"))
    response = await client.get("/record", cookies=cookies, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"
    assert front.refreshed == ["reused"]
    assert not codec.open(response.cookies[codec.cookie_name].value).signed_in


async def test_sign_in_needs_the_form_token_of_the_session(portal):
    client, codec, _ = portal
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    form = {"personal_id": "079303000001", "password": "right"}
    forged = await client.post("/login", data={**form, "csrf": "not-it"}, allow_redirects=False)
    assert forged.status == 403
    signed = await client.post("/login", data={**form, "csrf": token}, allow_redirects=False)
    assert signed.status == 303 and signed.headers["Location"] == "/record"
    session = codec.open(signed.cookies[codec.cookie_name].value)
    assert session.access_token == "fresh" and session.csrf != token  # a new form token after sign-in
