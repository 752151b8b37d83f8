"""VNPay's transaction query (``vnp_Command=querydr``, merchant web API v2.1.0): what became of a payment whose
IPN never arrived.

Request: JSON POSTed to the merchant API, signed with HMAC-SHA512 over the values joined by ``|`` in VNPay's
fixed order (:data:`REQUEST_FIELDS`); ``vnp_TransactionDate`` is the ``vnp_CreateDate`` of the payment URL.
Answer: JSON signed the same way over :data:`ANSWER_FIELDS`. ``vnp_ResponseCode`` says whether the query itself
worked ("00"; "91" transaction not found), ``vnp_TransactionStatus`` what became of the payment ("00" paid,
"01" not finished, "02" failed; the other codes concern refunds and fraud checks and are left to an operator).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import aiohttp

from ..domain import providers as p
from ..domain.lifecycle import VNPAY
from ..domain.notifications import ProviderNotification
from ..domain.payment import Payment

REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
ANSWER_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
#: Seconds a query may take; the resolver asks again at its next run.
TIMEOUT = 10.0


class Merchant(Protocol):
    tmn_code: str


def checksum(secret: bytes, values: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    data = "|".join(str(values.get(name, "")) for name in fields)
    return hmac.new(secret, data.encode("utf-8"), "sha512").hexdigest()


#: VNPay's clock: every time it sends or expects is Vietnam's civil time, GMT+7.
GMT7 = timezone(timedelta(hours=7))


def vnp_time(moment: datetime) -> str:
    return moment.astimezone(GMT7).strftime("%Y%m%d%H%M%S")


def querydr_request(merchant: Merchant, payment: Payment, secret: bytes) -> dict[str, str]:
    created = parse_qs(urlsplit(payment.redirect_url).query).get("vnp_CreateDate", [""])[0]
    body = {
        "vnp_RequestId": secrets.token_hex(16),
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": merchant.tmn_code,
        "vnp_TxnRef": payment.id,
        "vnp_OrderInfo": f"Query {payment.id}",
        "vnp_TransactionDate": created or vnp_time(payment.create_time),
        "vnp_CreateDate": vnp_time(datetime.now(UTC)),
        "vnp_IpAddr": "127.0.0.1",
    }
    body["vnp_SecureHash"] = checksum(secret, body, REQUEST_FIELDS)
    return body


async def post_json(url: str, body: Mapping[str, str]) -> Mapping[str, Any]:
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as session,
            session.post(url, json=dict(body)) as response,
        ):
            response.raise_for_status()
            answer = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise p.ProviderUnavailable(f"vnpay querydr failed: {type(exc).__name__}") from None
    if not isinstance(answer, dict):
        raise p.ProviderUnavailable("vnpay querydr answered something other than a JSON object")
    return answer


def querydr_outcome(
    answer: Mapping[str, Any], tmn_code: str, payment_id: str, secret: bytes
) -> ProviderNotification | None:
    """The payment's outcome from a verified querydr answer; None while it has none at VNPay."""
    expected = checksum(secret, answer, ANSWER_FIELDS)
    if not hmac.compare_digest(expected, str(answer.get("vnp_SecureHash", "")).lower()):
        raise p.ProviderUnavailable("vnpay querydr answer signature invalid")
    if answer.get("vnp_TmnCode") != tmn_code or answer.get("vnp_TxnRef") != payment_id:
        raise p.ProviderUnavailable("vnpay querydr answer is about another transaction")
    response, status = str(answer.get("vnp_ResponseCode", "")), str(answer.get("vnp_TransactionStatus", ""))
    if response != "00" or status not in ("00", "02"):
        return None  # not found ("91"), not finished ("01"), or a refund/fraud status for an operator
    try:
        raw_amount = int(answer["vnp_Amount"])
    except (KeyError, ValueError):
        raise p.ProviderUnavailable("vnpay querydr answer lacks vnp_Amount") from None
    number = str(answer.get("vnp_TransactionNo", ""))
    succeeded = status == "00"
    return ProviderNotification(
        provider=VNPAY,
        payment_id=payment_id,
        amount_vnd=raw_amount // 100 if raw_amount % 100 == 0 else -1,
        succeeded=succeeded,
        provider_reference=number,
        failure_reason="" if succeeded else "DECLINED",
        # For a success, the IPN's key ("<ref>:<no>:00:00"): the same notification if both arrive.
        dedupe_key=f"{payment_id}:{number}:{status}:{status}",
    )
