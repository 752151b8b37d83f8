"""Malformed input, per field kind (text, e-mail, phone, URL, enum, metadata), through the gateway and on each
service's own port: every one is refused with INVALID_ARGUMENT (finding 4: payment accepted a NUL reference and a
CRLF return URL, notify a NUL template name and an undefined enum value, identity a foreign phone number), and a
header value the platform cannot carry is dropped or refused, never INTERNAL (finding 5)."""

from __future__ import annotations

import asyncio
import random
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import h2.config
import h2.connection
import h2.events

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong.notify.v1 import notify_pb2, notify_pb2_grpc
from lienthong.payment.v1 import payment_pb2, payment_pb2_grpc

from .attack import bearer, status
from .platforms import Target
from .tally import Cases

BAD_TEXT = {
    "NUL": "HS-1\x00",
    "CRLF": "HS-1\r\nX-Injected: 1",
    "C1 control": "HS-1\x85",
    "line separator": "HS-1\u2028",
    "escape": "HS-1\x1b[31m",
}
BAD_EMAILS = [
    "a\x00@x.vn",
    "<script>@x.vn",
    "a@-x-.vn",
    "a@[127.0.0.1]",
    '"a b"@x.vn',
    "a@x",
    "a@@x.vn",
    "a@x.vn\r\nBcc: b@x.vn",
    "Name <a@x.vn>",
]
BAD_PHONES = ["+14155550123", "+442071838750", "0912345678\n", "091234567", "abc", "+84 24 3825 3536"]
BAD_URLS = [
    "https://x.vn/ok\r\nSet-Cookie: a=b",
    "https://x.vn/\x00",
    "javascript:alert(1)",
    "http://dichvucong.gov.vn/",
    "https://user:pw@x.vn/",
    "https:///nohost",
    "https://x.vn:99999/",
    "//x.vn/",
]

INVALID = grpc.StatusCode.INVALID_ARGUMENT


def _pid() -> str:
    return f"0012{random.randint(0, 20):02d}{random.randint(0, 999_999):06d}"


def _payment(**overrides: Any) -> payment_pb2.CreatePaymentRequest:
    values: dict[str, Any] = {
        "amount_vnd": 10_000,
        "description": "Lệ phí",
        "reference": f"HS-{uuid.uuid4().hex[:8]}",
        "return_url": "https://dichvucong.gov.vn/ket-qua",
        "idempotency_key": str(uuid.uuid4()),
        "provider": payment_pb2.PAYMENT_PROVIDER_SANDBOX,
    }
    values.update(overrides)
    return payment_pb2.CreatePaymentRequest(**values)


async def test_every_field_kind_refuses_malformed_values(target: Target) -> None:
    cases = Cases("malformed input", target.name)
    agency = await target.agency_token()
    md = bearer(agency)
    async with target.channel() as channel:
        notify = notify_pb2_grpc.NotifyServiceStub(channel)
        template = await notify.CreateTemplate(
            notify_pb2.CreateTemplateRequest(
                channel=notify_pb2.CHANNEL_EMAIL, name=f"t-{uuid.uuid4().hex[:6]}", subject="S", body="B"
            ),
            metadata=md,
        )
    template_id = template.template.id

    def send_email(**kw: Any) -> notify_pb2.SendEmailRequest:
        values: dict[str, Any] = {
            "template_id": template_id,
            "email_address": "a@example.vn",
            "idempotency_key": str(uuid.uuid4()),
        }
        values.update(kw)
        return notify_pb2.SendEmailRequest(**values)

    attempts: list[tuple[str, str, Callable[[grpc.aio.Channel], Awaitable[Any]]]] = []
    for name, value in BAD_TEXT.items():
        attempts += [
            ("payment", f"reference {name}", lambda ch, v=value: _create_payment(ch, md, reference=v)),
            ("payment", f"description {name}", lambda ch, v=value: _create_payment(ch, md, description=v)),
            (
                "payment",
                f"idempotency_key {name}",
                lambda ch, v=value: _create_payment(ch, md, idempotency_key=v),
            ),
            (
                "notify",
                f"template name {name}",
                lambda ch, v=value: notify_pb2_grpc.NotifyServiceStub(ch).CreateTemplate(
                    notify_pb2.CreateTemplateRequest(
                        channel=notify_pb2.CHANNEL_EMAIL, name=v, subject="S", body="B"
                    ),
                    metadata=md,
                ),
            ),
            (
                "notify",
                f"send reference {name}",
                lambda ch, v=value: notify_pb2_grpc.NotifyServiceStub(ch).SendEmail(
                    send_email(reference=v), metadata=md
                ),
            ),
        ]
    for value in BAD_EMAILS:
        attempts += [
            ("payment", f"payer_email {value!r}", lambda ch, v=value: _create_payment(ch, md, payer_email=v)),
            (
                "notify",
                f"email_address {value!r}",
                lambda ch, v=value: notify_pb2_grpc.NotifyServiceStub(ch).SendEmail(
                    send_email(email_address=v), metadata=md
                ),
            ),
            (
                "identity",
                f"citizen email {value!r}",
                lambda ch, v=value: identity_pb2_grpc.IdentityServiceStub(ch).RegisterCitizen(
                    identity_pb2.RegisterCitizenRequest(
                        personal_id=_pid(), password="Mật-khẩu-đủ-dài-2026", email=v
                    )
                ),
            ),
        ]
    for value in BAD_PHONES:
        attempts.append(
            (
                "identity",
                f"citizen phone {value!r}",
                lambda ch, v=value: identity_pb2_grpc.IdentityServiceStub(ch).RegisterCitizen(
                    identity_pb2.RegisterCitizenRequest(
                        personal_id=_pid(), password="Mật-khẩu-đủ-dài-2026", phone_number=v
                    )
                ),
            )
        )
    for value in BAD_URLS:
        attempts += [
            ("payment", f"return_url {value!r}", lambda ch, v=value: _create_payment(ch, md, return_url=v)),
            (
                "notify",
                f"callback url {value!r}",
                lambda ch, v=value: notify_pb2_grpc.NotifyServiceStub(ch).SetCallback(
                    notify_pb2.SetCallbackRequest(url=v), metadata=md
                ),
            ),
        ]
    for number in (99, -1, 1 << 20):
        attempts += [
            ("payment", f"provider enum {number}", lambda ch, n=number: _create_payment(ch, md, provider=n)),
            (
                "notify",
                f"simulated_outcome enum {number}",
                lambda ch, n=number: notify_pb2_grpc.NotifyServiceStub(ch).SendEmail(
                    send_email(simulated_outcome=n), metadata=md
                ),
            ),
            (
                "notify",
                f"template channel enum {number}",
                lambda ch, n=number: notify_pb2_grpc.NotifyServiceStub(ch).CreateTemplate(
                    notify_pb2.CreateTemplateRequest(channel=n, name="x", subject="S", body="B"), metadata=md
                ),
            ),
        ]
    for block, name, attempt in attempts:
        for door, address in (("gateway", target.gateway), (block, target.services[block])):
            async with target.channel(address) as channel:
                code = await status(attempt(channel))
            cases.check(f"{name} @ {door}", code == INVALID, code.name)
    cases.done()


async def _create_payment(channel: grpc.aio.Channel, md: Any, **overrides: Any) -> Any:
    return await payment_pb2_grpc.PaymentServiceStub(channel).CreatePayment(
        _payment(**overrides), metadata=md
    )


def _raw_call(address: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    """One gRPC call over raw HTTP/2 with headers a gRPC client would refuse to send; the response's headers and
    trailers (``grpc-status``...)."""
    host, port = address.rsplit(":", 1)
    config = h2.config.H2Configuration(
        client_side=True, validate_outbound_headers=False, normalize_outbound_headers=False
    )
    connection = h2.connection.H2Connection(config=config)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        connection.initiate_connection()
        stream = connection.get_next_available_stream_id()
        connection.send_headers(
            stream,
            [
                (b":method", b"POST"),
                (b":scheme", b"http"),
                (b":path", path.encode()),
                (b":authority", address.encode()),
                (b"content-type", b"application/grpc"),
                (b"te", b"trailers"),
                *headers,
            ],
        )
        connection.send_data(stream, b"\x00\x00\x00\x00\x00", end_stream=True)  # an empty message
        sock.sendall(connection.data_to_send())
        answer: dict[bytes, bytes] = {}
        done = False
        while not done:
            data = sock.recv(65536)
            if not data:
                break
            for event in connection.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived | h2.events.TrailersReceived):
                    answer.update({bytes(k): bytes(v) for k, v in event.headers})
                if isinstance(
                    event, h2.events.StreamEnded | h2.events.StreamReset | h2.events.ConnectionTerminated
                ):
                    done = True
            sock.sendall(connection.data_to_send())
        return answer


async def test_header_values_the_platform_cannot_carry_are_never_internal(target: Target) -> None:
    cases = Cases("malformed input", target.name)
    token = await target.agency_token()
    bad_values = {
        "newline and NUL": b"a\nb\x00c",
        "CR": b"a\rb",
        "NUL only": b"\x00",
        "high bytes": b"\xff\xfe",
        "forwarded chain of junk": b"\x00, \n",
        "tab": b"a\tb",
        "DEL": b"\x7f",
        "UTF-8 text": b"caf\xc3\xa9",
    }
    path = "/lienthong.payment.v1.PaymentService/SearchPayments"
    for door, address in (("gateway", target.gateway), ("payment", target.services["payment"])):
        for name, value in bad_values.items():
            for header in (b"x-custom", b"x-forwarded-for", b"x-request-id"):
                answer = await asyncio.to_thread(
                    _raw_call,
                    address,
                    path,
                    [(b"authorization", f"Bearer {token}".encode()), (header, value)],
                )
                code = answer.get(b"grpc-status", b"")
                if header == b"x-custom":  # dropped, the call goes on: the caller's own answer
                    cases.check(f"{header.decode()}: {name} @ {door} answered", code == b"0", code.decode())
                # Refused cleanly by HTTP/2 (no grpc-status: the stream is reset), or answered with a status that
                # is the caller's (not INTERNAL 13, not UNKNOWN 2).
                cases.check(f"{header.decode()}: {name} @ {door}", code not in (b"13", b"2"), code.decode())
    cases.done()
