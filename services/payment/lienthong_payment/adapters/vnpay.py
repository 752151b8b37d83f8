"""VNPay payment gateway adapter (API v2.1.0): the signed redirect URL, the IPN verification and the
transaction query (``querydr``, in ``vnpay_query.py``).

Redirect: ``vnp_*`` parameters (amount in đồng x 100, times in GMT+7 as yyyyMMddHHmmss) sorted, URL-encoded
with ``quote_plus``, HMAC-SHA512 in ``vnp_SecureHash``. IPN: VNPay calls our endpoint with the same kind of
signed query; we drop ``vnp_SecureHash``/``vnp_SecureHashType``, recompute and compare in constant time, and
answer ``{"RspCode", "Message"}`` with VNPay's codes (see :data:`ANSWERS`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta

from ..domain import providers as p
from ..domain.lifecycle import VNPAY, NextAction, StartOptions
from ..domain.notifications import Disposition, ProviderNotification
from ..domain.payment import Payment
from ..domain.refund import Refund
from .signing import canonical_query, sign, signature_ok
from .vnpay_query import post_json, querydr_outcome, querydr_request, vnp_time

SIGNATURE_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")

#: Intake result -> (RspCode, Message), VNPay's published IPN answers.
ANSWERS: dict[str, tuple[str, str]] = {
    Disposition.APPLIED: ("00", "Confirm Success"),
    Disposition.UNKNOWN_PAYMENT: ("01", "Order not found"),
    Disposition.ALREADY_FINAL: ("02", "Order already confirmed"),
    Disposition.LATE_SUCCESS: ("02", "Order already confirmed"),
    Disposition.AMOUNT_MISMATCH: ("04", "Invalid amount"),
    p.SIGNATURE_INVALID: ("97", "Invalid signature"),
    Disposition.NOT_STARTED: ("99", "Unknown error"),
    p.MALFORMED: ("99", "Unknown error"),
    p.ERROR: ("99", "Unknown error"),
}


def acknowledgement(result: str) -> p.Acknowledgement:
    code, message = ANSWERS.get(result, ("99", "Unknown error"))
    return p.Acknowledgement(200, {"RspCode": code, "Message": message})


def ascii_text(text: str, limit: int = 255) -> str:
    """VNPay wants order info in Vietnamese without diacritics: "Lệ phí đăng ký" -> "Le phi dang ky"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.split())[:limit]


class VnpayProvider:
    name = VNPAY

    def __init__(
        self,
        *,
        tmn_code: str,
        hash_secret: str,
        pay_url: str,
        redirect_lifetime: timedelta,
        return_url: str = "",
        api_url: str = "",
    ) -> None:
        self.tmn_code = tmn_code
        #: The merchant web API (``querydr``); empty disables the transaction query.
        self.api_url = api_url
        self._secret = hash_secret.encode()
        self.pay_url = pay_url
        #: Where VNPay sends the payer back: our return endpoint, which records SUBMITTED and then redirects
        #: to the agency's return URL ("" sends the payer straight to the agency).
        self.return_url = return_url
        self.redirect_lifetime = redirect_lifetime

    def next_action(self, payment: Payment, options: StartOptions, now: datetime) -> NextAction:
        expires = min(now + self.redirect_lifetime, payment.expire_time)
        params = {
            "vnp_Version": "2.1.0",
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(payment.amount_vnd * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.id,
            "vnp_OrderInfo": ascii_text(payment.description) or payment.reference,
            "vnp_OrderType": "other",
            "vnp_Locale": "en" if options.locale == "en" else "vn",
            "vnp_ReturnUrl": self.return_url or payment.return_url,
            "vnp_IpAddr": options.payer_ip or "127.0.0.1",
            "vnp_CreateDate": vnp_time(now),
            "vnp_ExpireDate": vnp_time(expires),
        }
        query = canonical_query(params)
        return NextAction(f"{self.pay_url}?{query}&vnp_SecureHash={sign(self._secret, params)}", expires)

    def verify_notification(self, params: Mapping[str, str]) -> ProviderNotification:
        signed = {k: v for k, v in params.items() if k.startswith("vnp_") and k not in SIGNATURE_FIELDS}
        if not signature_ok(self._secret, signed, params.get("vnp_SecureHash", "")):
            raise p.SignatureInvalid("vnpay notification signature invalid")
        try:
            raw_amount = int(signed["vnp_Amount"])
            txn_ref, response = signed["vnp_TxnRef"], signed["vnp_ResponseCode"]
        except (KeyError, ValueError):
            raise p.NotificationMalformed(
                "vnpay notification lacks vnp_TxnRef/vnp_Amount/vnp_ResponseCode"
            ) from None
        if signed.get("vnp_TmnCode") != self.tmn_code:
            raise p.NotificationMalformed("vnpay notification for another merchant")
        status = signed.get("vnp_TransactionStatus", response)
        succeeded = response == "00" and status == "00"
        transaction_no = signed.get("vnp_TransactionNo", "")
        return ProviderNotification(
            provider=VNPAY,
            payment_id=txn_ref,
            amount_vnd=raw_amount // 100 if raw_amount % 100 == 0 else -1,
            succeeded=succeeded,
            provider_reference=transaction_no,
            failure_reason="" if succeeded else ("CANCELLED_BY_PAYER" if response == "24" else "DECLINED"),
            dedupe_key=f"{txn_ref}:{transaction_no}:{response}:{status}",
        )

    def acknowledge(self, result: str) -> p.Acknowledgement:
        return acknowledgement(result)

    async def refund(self, payment: Payment, refund: Refund) -> p.RefundOutcome:
        # VNPay refunds go through its merchant web API, which needs a contract we do not hold yet.
        return p.RefundOutcome(False, "PROVIDER_REFUND_UNSUPPORTED")

    def after_start(self, payment: Payment, options: StartOptions) -> None:
        return None

    async def query(self, payment: Payment) -> ProviderNotification | None:
        """VNPay's transaction query (``querydr``) for a payment whose IPN never came."""
        if not self.api_url:
            return None
        answer = await post_json(self.api_url, querydr_request(self, payment, self._secret))
        return querydr_outcome(answer, self.tmn_code, payment.id, self._secret)

    async def redeliver(self, payment: Payment) -> bool:
        return False  # VNPay re-sends its IPN itself
