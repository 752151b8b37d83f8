"""Delivery: an SMTP outage loses and duplicates nothing; SMS failover; out-of-order receipts; give-up."""

import asyncio
import json
import time

import aiohttp
import pytest
from aiohttp import web

from lienthong.notify.v1 import notify_pb2 as pb
from lienthong_notify.domain.callbacks import signature
from lienthong_notify.handlers import notifications
from lienthong_runtime.db import create_engine

from .support import (
    email_template,
    eventually,
    handlers_on,
    mail_sink,
    received_ids,
    running_notify,
    statuses,
)

pytestmark = pytest.mark.postgres
VALUES = {"name": "An", "code": "1"}


async def free_port(tmp_path) -> int:
    async with mail_sink(tmp_path / "probe") as probe:
        return probe.port


async def test_smtp_outage_messages_wait_and_are_all_delivered_once(pg_url, unix_socket, tmp_path):
    port = await free_port(tmp_path)  # nothing listens here while the SMTP server is "down"
    async with running_notify(pg_url, unix_socket, smtp_port=port, smtp_connections=4) as run:
        template_id = await email_template(run)
        ids = [
            (
                await run.stub.SendEmail(
                    pb.SendEmailRequest(
                        template_id=template_id,
                        email_address=f"user{i}@example.vn",
                        personalisation=VALUES,
                        idempotency_key=f"k{i}",
                    ),
                    metadata=run.auth(),
                )
            ).notification.id
            for i in range(10)
        ]
        batch = await run.stub.SendBatch(
            pb.SendBatchRequest(
                template_id=template_id,
                idempotency_key="b",
                recipients=[
                    pb.BatchRecipient(recipient=f"bulk{i}@example.vn", personalisation=VALUES)
                    for i in range(20)
                ],
            ),
            metadata=run.auth(),
        )
        ids += [r.notification_id for r in batch.results]

        async def all_retried() -> bool:
            page = await run.stub.ListNotifications(
                pb.ListNotificationsRequest(page_size=100), metadata=run.auth()
            )
            return (
                all(
                    n.status == pb.NOTIFICATION_STATUS_SENDING and n.attempt_count >= 2
                    for n in page.notifications
                )
                and len(page.notifications) == 30
            )

        await eventually(all_retried)  # the server is down: every message waits and is retried
        outbox = tmp_path / "mail"
        async with mail_sink(outbox, port=port) as sink:

            async def all_delivered() -> bool:
                return set(await statuses(run, ids)) == {pb.NOTIFICATION_STATUS_DELIVERED}

            await eventually(all_delivered)
            assert sink.handler.received == 30  # none twice
        assert sorted(received_ids(outbox)) == sorted(f"<{i}@notify.lienthong.local>" for i in ids)


async def test_undeliverable_messages_become_technical_failure_after_the_give_up_time(
    pg_url, unix_socket, tmp_path
):
    port = await free_port(tmp_path)
    async with running_notify(pg_url, unix_socket, smtp_port=port, give_up_s=0.5) as run:
        template_id = await email_template(run)
        sent = (
            await run.stub.SendEmail(
                pb.SendEmailRequest(
                    template_id=template_id,
                    email_address="a@example.vn",
                    personalisation=VALUES,
                    idempotency_key="k",
                ),
                metadata=run.auth(),
            )
        ).notification

        async def failed() -> bool:
            return await statuses(run, [sent.id]) == [pb.NOTIFICATION_STATUS_TECHNICAL_FAILURE]

        await eventually(failed)
        got = await run.stub.GetNotification(
            pb.GetNotificationRequest(notification_id=sent.id), metadata=run.auth()
        )
        assert got.notification.failure_reason == "SMTP_UNAVAILABLE"


class FakeProvider:
    """An HTTP SMS provider that fails, is slow or accepts, and records what it was sent."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sent: list[dict] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        data = await request.json()
        if self.mode == "error":
            return web.Response(status=503)
        if self.mode == "slow":
            await asyncio.sleep(2)
        self.sent.append(data)
        return web.json_response({"id": f"prov-{len(self.sent)}"})

    async def __aenter__(self) -> "FakeProvider":
        app = web.Application()
        app.router.add_post("/send", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/send"
        return self

    async def __aexit__(self, *exc) -> None:
        await self.runner.cleanup()


async def post_receipt(port: int, provider: str, secret: str, reference: str, status: str) -> int:
    body = json.dumps({"reference": reference, "status": status}).encode()
    headers = {"X-Lienthong-Signature": signature(secret, int(time.time()), body)}
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"http://127.0.0.1:{port}/v1/sms/receipts/{provider}", data=body, headers=headers
        ) as response,
    ):
        return response.status


@pytest.mark.parametrize("failing_mode", ["error", "slow"])
async def test_sms_fails_over_and_late_receipts_never_move_a_final_status(pg_url, unix_socket, failing_mode):
    async with FakeProvider(failing_mode) as bad, FakeProvider("ok") as good:
        providers = [
            {"name": "bad", "url": bad.url, "weight": 1000, "receipt_secret": "bad-secret", "timeout_s": 0.3},
            {"name": "good", "url": good.url, "weight": 1, "receipt_secret": "good-secret"},
        ]
        async with running_notify(pg_url, unix_socket, sms_providers=providers) as run:
            template = (
                await run.stub.CreateTemplate(
                    pb.CreateTemplateRequest(channel=pb.CHANNEL_SMS, name="otp", body="Ma: ((code))"),
                    metadata=run.auth(),
                )
            ).template
            sent = (
                await run.stub.SendSms(
                    pb.SendSmsRequest(
                        template_id=template.id,
                        phone_number="0912345678",
                        personalisation={"code": "1"},
                        idempotency_key="s",
                    ),
                    metadata=run.auth(),
                )
            ).notification

            async def handed_over() -> bool:
                got = await run.stub.GetNotification(
                    pb.GetNotificationRequest(notification_id=sent.id), metadata=run.auth()
                )
                return got.notification.attempt_count == 1

            await eventually(handed_over)
            assert good.sent == [{"to": "+84912345678", "body": "Ma: 1", "reference": sent.id}]
            assert await statuses(run, [sent.id]) == [pb.NOTIFICATION_STATUS_SENDING]
            port = run.server.http_port
            assert await post_receipt(port, "good", "wrong-secret", sent.id, "delivered") == 401
            assert await post_receipt(port, "good", "good-secret", sent.id, "delivered") == 200
            assert await post_receipt(port, "good", "good-secret", sent.id, "temporary-failure") == 200
            assert await post_receipt(port, "good", "good-secret", sent.id, "delivered") == 200  # duplicate
            assert await statuses(run, [sent.id]) == [pb.NOTIFICATION_STATUS_DELIVERED]

            silent = (
                await run.stub.SendSms(
                    pb.SendSmsRequest(
                        template_id=template.id,
                        phone_number="0912345679",
                        personalisation={"code": "2"},
                        idempotency_key="s2",
                    ),
                    metadata=run.auth(),
                )
            ).notification
            await eventually(lambda: handed(run, silent.id))
            engine = create_engine(pg_url)
            settings = run.app.settings.model_copy(update={"sms_receipt_timeout_s": 0.0})
            units, deps = handlers_on(engine, settings)
            assert await notifications.expire_unconfirmed(units(), deps) == 1
            await engine.dispose()
            got = await run.stub.GetNotification(
                pb.GetNotificationRequest(notification_id=silent.id), metadata=run.auth()
            )
            assert (got.notification.status, got.notification.failure_reason) == (
                pb.NOTIFICATION_STATUS_TEMPORARY_FAILURE,
                "NO_RECEIPT",
            )
            assert await post_receipt(port, "good", "good-secret", silent.id, "delivered") == 200  # too late
            assert await statuses(run, [silent.id]) == [pb.NOTIFICATION_STATUS_TEMPORARY_FAILURE]


async def handed(run, notification_id: str) -> bool:
    got = await run.stub.GetNotification(
        pb.GetNotificationRequest(notification_id=notification_id), metadata=run.auth()
    )
    return got.notification.attempt_count == 1
