"""HTTP endpoints on the service's side server: provider notifications (VNPay IPN, sandbox) and the sandbox's
stand-in payment page.

``GET|POST /payment/v1/notifications/{provider}``: the signed parameters in the query string (VNPay sends a
GET) or a form body. The answer is VNPay's JSON ``{"RspCode", "Message"}`` with HTTP 200, as VNPay expects.

``GET /payment/v1/returns/{provider}``: the payer's browser coming back from the provider with the same kind of
signed parameters; recorded as SUBMITTED, then a redirect (302) to the agency's return URL with ``payment_id``
added. Only the payment's own stored return URL is ever redirected to (no open redirect).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aiohttp import web

from lienthong_runtime.server import Route

from ..domain.providers import Acknowledgement

Receive = Callable[[str, Mapping[str, str]], Awaitable[Acknowledgement]]
Returned = Callable[[str, Mapping[str, str]], Awaitable[tuple[str, str] | None]]
MAX_PARAMS = 64


def _params(source: Mapping[str, object]) -> dict[str, str] | None:
    """Single-valued text parameters, or None: a repeated or non-text parameter is never something a provider
    signs, so the whole message is refused."""
    params: dict[str, str] = {}
    for key, value in source.items():
        if key in params or not isinstance(value, str) or len(params) >= MAX_PARAMS:
            return None
        params[key] = value
    return params


def with_payment_id(url: str, payment_id: str) -> str:
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), ("payment_id", payment_id)])
    return urlunsplit(parts._replace(query=query))


def notification_routes(receive: Receive, returned: Returned) -> list[Route]:
    async def notification(request: web.Request) -> web.Response:
        provider = request.match_info["provider"]
        params = _params(request.query if request.method == "GET" else await request.post())
        if params is None:
            return web.json_response({"RspCode": "99", "Message": "Invalid request"})
        ack = await receive(provider, params)
        return web.json_response(dict(ack.body), status=ack.status)

    async def sandbox_page(request: web.Request) -> web.Response:
        payment_id = escape(request.query.get("payment_id", ""))
        body = (
            f"<!doctype html><title>Sandbox payment</title><p>Sandbox payment {payment_id}: the outcome "
            "follows the scenario chosen at StartPayment; nothing to do here.</p>"
        )
        return web.Response(text=body, content_type="text/html")

    async def payer_return(request: web.Request) -> web.Response:
        params = _params(request.query)
        target = await returned(request.match_info["provider"], params) if params is not None else None
        if target is None:
            return web.Response(status=400, text="This payment link is not valid.")
        raise web.HTTPFound(with_payment_id(*target))

    return [
        ("GET", "/payment/v1/notifications/{provider}", notification),
        ("GET", "/payment/v1/returns/{provider}", payer_return),
        ("POST", "/payment/v1/notifications/{provider}", notification),
        ("GET", "/payment/v1/sandbox/pay", sandbox_page),
    ]
