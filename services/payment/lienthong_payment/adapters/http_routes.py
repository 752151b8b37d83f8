"""HTTP endpoints on the service's side server: provider notifications (VNPay IPN, sandbox) and the sandbox's
stand-in payment page.

``GET|POST /payment/v1/notifications/{provider}``: the signed parameters in the query string (VNPay sends a
GET) or a form body. The answer is VNPay's JSON ``{"RspCode", "Message"}`` with HTTP 200, as VNPay expects.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from html import escape

from aiohttp import web

from lienthong_runtime.server import Route

from ..domain.providers import Acknowledgement

Receive = Callable[[str, Mapping[str, str]], Awaitable[Acknowledgement]]
MAX_PARAMS = 64


def notification_routes(receive: Receive) -> list[Route]:
    async def notification(request: web.Request) -> web.Response:
        provider = request.match_info["provider"]
        source = request.query if request.method == "GET" else await request.post()
        params: dict[str, str] = {}
        for key, value in source.items():
            # A repeated or non-text parameter is never something a provider signs: refuse the whole message.
            if key in params or not isinstance(value, str) or len(params) >= MAX_PARAMS:
                return web.json_response({"RspCode": "99", "Message": "Invalid request"})
            params[key] = value
        ack = await receive(provider, params)
        return web.json_response(dict(ack.body), status=ack.status)

    async def sandbox_page(request: web.Request) -> web.Response:
        payment_id = escape(request.query.get("payment_id", ""))
        body = (
            f"<!doctype html><title>Sandbox payment</title><p>Sandbox payment {payment_id}: the outcome "
            "follows the scenario chosen at StartPayment; nothing to do here.</p>"
        )
        return web.Response(text=body, content_type="text/html")

    return [
        ("GET", "/payment/v1/notifications/{provider}", notification),
        ("POST", "/payment/v1/notifications/{provider}", notification),
        ("GET", "/payment/v1/sandbox/pay", sandbox_page),
    ]
