"""HTTP routes of notify's side server: signed SMS delivery receipts from providers."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from ..domain.callbacks import verify_signature
from ..domain.channels import Status
from .callback_sender import SIGNATURE_HEADER
from .sms import RECEIPT_STATUSES

ApplyReceipt = Callable[[str, Status], Awaitable[bool]]
SecretOf = Callable[[str], "str | None"]


def receipt_route(
    secret_of: SecretOf, apply: ApplyReceipt
) -> tuple[str, str, Callable[..., Awaitable[web.Response]]]:
    """``POST /v1/sms/receipts/{provider}``: verify the provider's signature, then apply the receipt."""

    async def receive(request: web.Request) -> web.Response:
        secret = secret_of(request.match_info["provider"])
        body = await request.read()
        if not secret or not verify_signature(
            [secret], request.headers.get(SIGNATURE_HEADER, ""), body, int(time.time())
        ):
            return web.json_response({"error": "bad signature"}, status=401)
        try:
            data = json.loads(body)
            status = RECEIPT_STATUSES[data["status"]]
            reference = str(data["reference"])
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": "bad receipt"}, status=400)
        moved = await apply(reference, status)
        return web.json_response({"applied": moved})

    return ("POST", "/v1/sms/receipts/{provider}", receive)
