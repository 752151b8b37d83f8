"""The SMTP providers against a real aiosmtpd server: both clients, AUTH, refusals and Message-IDs."""

from datetime import UTC, datetime

import pytest
from aiosmtpd.smtp import SMTP, AuthResult

from lienthong_notify.adapters.mail_sink import FolderHandler
from lienthong_notify.adapters.smtp import SmtpMailer
from lienthong_notify.domain.channels import Channel, Status
from lienthong_notify.domain.notifications import Notification
from lienthong_runtime.ids import new_id

from .support import received_ids


def email(recipient: str) -> Notification:
    return Notification(
        id=new_id(),
        agency_id="a",
        channel=Channel.EMAIL,
        template_id="t",
        template_version=1,
        recipient=recipient,
        reference="",
        status=Status.SENDING,
        subject="Thông báo hồ sơ",
        body=".dòng bắt đầu bằng dấu chấm\nHết.",
        sms=None,
        batch_id="",
        test=False,
        simulated_outcome="",
        attempt_count=0,
        failure_reason="",
        create_time=datetime.now(UTC),
        send_time=None,
        complete_time=None,
    )


class Handler(FolderHandler):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        if address.startswith("full@"):
            return "452 4.2.2 mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"notify" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False, message=None if ok else "535 5.7.8 bad credentials")


async def smtp_server(loop, folder):
    handler = Handler(folder)
    server = await loop.create_server(
        lambda: SMTP(handler, authenticator=authenticator, auth_require_tls=False), "127.0.0.1", 0
    )
    return server, handler


@pytest.mark.parametrize("pipelining", [True, False])
async def test_delivers_with_auth_and_maps_refusals(tmp_path, pipelining):
    import asyncio

    server, handler = await smtp_server(asyncio.get_running_loop(), tmp_path)
    port = server.sockets[0].getsockname()[1]
    mailer = SmtpMailer(
        host="127.0.0.1",
        port=port,
        username="notify",
        password="s3cret",
        connections=2,
        mail_from="Liên Thông <no-reply@lienthong.local>",
        msgid_domain="test",
        pipelining=pipelining,
    )
    wrong = SmtpMailer(
        host="127.0.0.1",
        port=port,
        username="notify",
        password="wrong",
        connections=1,
        mail_from="no-reply@lienthong.local",
        msgid_domain="test",
        pipelining=pipelining,
    )
    try:
        ok = email("an@example.vn")
        assert (await mailer.send(ok)).status is Status.DELIVERED
        unknown = await mailer.send(email("nobody@example.vn"))
        assert (unknown.status, unknown.reason) == (Status.PERMANENT_FAILURE, "RECIPIENT_REJECTED")
        full = await mailer.send(email("full@example.vn"))
        assert full.status is None and full.recipient_unavailable  # retried; temporary failure at give-up
        assert (
            await mailer.send(email("binh@example.vn"))
        ).status is Status.DELIVERED  # session still usable
        refused = await wrong.send(email("an@example.vn"))
        assert refused.status is None and refused.reason.startswith("SMTP_UNAVAILABLE")  # retried, not final
        assert f"<{ok.id}@test>" in received_ids(tmp_path)
        assert handler.received == 2
        raw = next(tmp_path.glob(f"{ok.id}*.eml")).read_bytes()
        assert b"Subject: =?utf-8?" in raw and b"Message-ID: <" in raw
    finally:
        await mailer.close()
        await wrong.close()
        server.close()


def self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 that is its own trust anchor, and its key."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_file), str(key_file)


@pytest.mark.parametrize("pipelining", [True, False])
async def test_starttls_with_a_private_ca_and_auth(tmp_path, pipelining):
    import asyncio
    import ssl

    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mail = tmp_path / "mail"
    handler = Handler(mail)
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(
            handler,
            tls_context=context,
            require_starttls=True,
            authenticator=authenticator,
            auth_require_tls=True,
        ),
        "127.0.0.1",
        0,
    )
    port = server.sockets[0].getsockname()[1]
    options = {
        "host": "127.0.0.1",
        "port": port,
        "username": "notify",
        "password": "s3cret",
        "mail_from": "no-reply@lienthong.local",
        "msgid_domain": "test",
        "pipelining": pipelining,
    }
    secure = SmtpMailer(starttls=True, ca_file=cert, **options)
    untrusted = SmtpMailer(starttls=True, **options)  # the system CAs do not know this certificate
    try:
        sent = email("an@example.vn")
        assert (await secure.send(sent)).status is Status.DELIVERED
        assert (await untrusted.send(email("binh@example.vn"))).status is None  # retried, never sent in clear
        assert received_ids(mail) == [f"<{sent.id}@test>"]
    finally:
        await secure.close()
        await untrusted.close()
        server.close()
