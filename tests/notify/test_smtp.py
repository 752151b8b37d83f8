"""The SMTP providers against a real aiosmtpd server: both clients, AUTH, refusals and Message-IDs."""

from datetime import UTC, datetime

import pytest
from aiosmtpd.smtp import SMTP, AuthResult

from lienthong_notify.adapters.mail_sink import FolderHandler
from lienthong_notify.adapters.smtp import SmtpMailer
from lienthong_notify.domain.channels import Channel, Status
from lienthong_notify.domain.notifications import Notification, new_id

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
