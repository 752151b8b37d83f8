"""The runtime's one set of field validators (issue #12, finding 4) and the outbound address rules (finding 6)."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import ClientConnectorError, ClientSession, web

from lienthong_runtime import outbound, validation
from lienthong_runtime.errors import InvalidArgument


@pytest.mark.parametrize("value", ["HS\x00", "a\r\nb", "a\x85", "a\u2028", "a\x1b[0m", "\ud800"])
def test_text_refuses_control_characters(value: str) -> None:
    with pytest.raises(validation.Invalid):
        validation.plain_text(value, max_length=100)


def test_text_allows_newlines_only_when_multiline() -> None:
    assert validation.plain_text("Dòng 1\nDòng 2\tx", max_length=100, multiline=True)
    with pytest.raises(validation.Invalid):
        validation.plain_text("Dòng 1\nDòng 2", max_length=100)
    with pytest.raises(validation.Invalid):
        validation.plain_text(" ", max_length=10, required=True)


@pytest.mark.parametrize(
    "value", ["a\x00@x.vn", "<script>@x.vn", "a@-x-.vn", "a@[127.0.0.1]", '"a b"@x.vn', "a@x", "A <a@x.vn>"]
)
def test_email_refuses_what_mail_servers_could_be_tricked_by(value: str) -> None:
    with pytest.raises(validation.Invalid):
        validation.email(value)


def test_email_normalises_the_domain() -> None:
    assert validation.email("Dan@Example.VN") == "Dan@example.vn"


@pytest.mark.parametrize(
    "value", ["+14155550123", "+442071838750", "0243825353", "091234567", "0912345678\n"]
)
def test_phone_is_a_vietnamese_mobile_number(value: str) -> None:
    with pytest.raises(validation.Invalid):
        validation.vn_mobile(value)


def test_phone_is_normalised_to_e164() -> None:
    assert validation.vn_mobile("0912 345 678") == "+84912345678"


@pytest.mark.parametrize(
    "value",
    [
        "https://x.vn/\r\nSet-Cookie: a",
        "https://x.vn/ a",
        "javascript:alert(1)",
        "http://x.vn/",
        "https://u:p@x.vn/",
        "https://x.vn:99999/",
        "//x.vn/",
    ],
)
def test_url_rules(value: str) -> None:
    with pytest.raises(validation.Invalid):
        validation.url(value)


def test_url_allows_http_localhost_only_when_asked() -> None:
    assert validation.url("http://localhost:8080/back", allow_http_localhost=True)
    with pytest.raises(validation.Invalid):
        validation.url("http://localhost:8080/back")


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "::1",
        "::ffff:127.0.0.1",
        "169.254.169.254",
        "10.1.2.3",
        "100.64.0.1",
        "0.0.0.0",
        "localhost",
        "metadata.google.internal",
        "db.internal",
        "fe80::1",
    ],
)
def test_private_hosts_are_refused(host: str) -> None:
    assert validation.host_problem(host)
    with pytest.raises(validation.Invalid):
        validation.url(f"https://{'[' + host + ']' if ':' in host else host}/hook", refuse_private_hosts=True)


def test_allow_list_admits_named_receivers() -> None:
    allow = validation.AllowList(["10.8.0.0/16", "hooks.internal"])
    assert allow.allows_host("10.8.3.4") and allow.allows_host("hooks.internal")
    assert not allow.allows_host("10.9.0.1")
    assert validation.url("https://10.8.3.4/h", refuse_private_hosts=True, allowed_hosts=["10.8.3.4"])


def test_enum_values_must_be_defined() -> None:
    assert validation.enum_value(2, [1, 2, 3]) == 2
    with pytest.raises(validation.Invalid):
        validation.enum_value(99, [1, 2, 3])
    with pytest.raises(validation.Invalid):
        validation.enum_value(0, [1, 2, 3])


def test_check_raises_invalid_argument_naming_the_field() -> None:
    with pytest.raises(InvalidArgument) as raised:
        validation.check("reference", validation.plain_text, "a\x00", max_length=10)
    assert raised.value.field_violations[0].field == "reference"


async def test_names_resolving_inside_are_refused_when_set() -> None:
    with pytest.raises(validation.Invalid):
        await outbound.resolve_public("2130706433", 443)  # decimal 127.0.0.1
    assert await outbound.resolve_public("10.8.3.4", 443, validation.AllowList(["10.8.0.0/16"])) == [
        "10.8.3.4"
    ]


async def test_the_connection_itself_is_refused_after_a_rebinding() -> None:
    """A URL accepted while its name was public must still not reach an internal address at connection time."""
    hits: list[str] = []

    async def hook(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with ClientSession(connector=outbound.public_connector()) as refused:
            with pytest.raises((ClientConnectorError, OSError)):
                await refused.post(f"http://127.0.0.1:{port}/hook")
        async with ClientSession(connector=outbound.public_connector(["127.0.0.0/8"])) as allowed:
            async with allowed.post(f"http://127.0.0.1:{port}/hook") as response:
                assert response.status == 204
    finally:
        await runner.cleanup()
    await asyncio.sleep(0)
    assert hits == ["/hook"]
