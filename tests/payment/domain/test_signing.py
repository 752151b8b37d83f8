"""VNPay v2.1.0 signing, checked against an independent computation of the published procedure."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote_plus, urlsplit

import pytest

from lienthong_payment.adapters.vnpay import VnpayProvider, ascii_text
from lienthong_payment.domain.lifecycle import StartOptions
from lienthong_payment.domain.payment import Payment, PaymentRequest
from lienthong_payment.domain.providers import SignatureInvalid

SECRET = "SECRETKEY123"


def provider() -> VnpayProvider:
    return VnpayProvider(
        tmn_code="TMN00001",
        hash_secret=SECRET,
        pay_url="https://pay.example/vpcpay.html",
        redirect_lifetime=timedelta(minutes=15),
    )


def test_redirect_url_is_signed_as_vnpay_documents():
    now = datetime(2026, 11, 27, 8, 30, 5, tzinfo=UTC)
    request = PaymentRequest(
        123_000, "Lệ phí đăng ký kết hôn", "HS-1", "https://a.example.vn/r?x=1&y=2", "k", "vnpay"
    )
    payment = Payment.create(
        id="abc123", agency_id="ag", request=request, now=now, lifetime=timedelta(minutes=90)
    )
    url = provider().next_action(payment, StartOptions(payer_ip="203.0.113.9"), now).redirect_url
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    params = dict(pairs)
    signature = params.pop("vnp_SecureHash")
    assert params["vnp_Amount"] == "12300000" and params["vnp_CreateDate"] == "20261127153005"
    assert (
        params["vnp_ExpireDate"] == "20261127154505" and params["vnp_OrderInfo"] == "Le phi dang ky ket hon"
    )
    assert (params["vnp_Version"], params["vnp_Command"], params["vnp_CurrCode"]) == ("2.1.0", "pay", "VND")
    assert [k for k, _ in pairs[:-1]] == sorted(params)
    data = "&".join(f"{k}={quote_plus(v)}" for k, v in sorted(params.items()))
    assert signature == hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()


def test_ipn_signature_is_checked_without_the_hash_fields():
    params = {
        "vnp_TmnCode": "TMN00001",
        "vnp_Amount": "5000000",
        "vnp_TxnRef": "p1",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TransactionNo": "987",
        "vnp_OrderInfo": "Le phi",
    }
    data = "&".join(f"{k}={quote_plus(v)}" for k, v in sorted(params.items()))
    signed = {
        **params,
        "vnp_SecureHashType": "HmacSHA512",
        "vnp_SecureHash": hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest().upper(),
    }
    note = provider().verify_notification(signed)
    assert (note.payment_id, note.amount_vnd, note.succeeded, note.provider_reference) == (
        "p1",
        50_000,
        True,
        "987",
    )
    with pytest.raises(SignatureInvalid):
        provider().verify_notification({**signed, "vnp_Amount": "6000000"})
    assert ascii_text("Phí  Đồng Nai – 2026") == "Phi Dong Nai 2026"
