"""PaymentSucceeded sends a receipt once; delivery callbacks are signed, filtered by status and retried."""

import json
import time

import grpc
import pytest
from aiohttp import web

from lienthong.notify.v1 import notify_pb2 as pb
from lienthong.payment.v1 import events_pb2 as payment_events
from lienthong_notify.adapters.callback_sender import SIGNATURE_HEADER
from lienthong_notify.domain.callbacks import verify_signature
from lienthong_notify.handlers import events
from lienthong_runtime.db import create_engine
from lienthong_runtime.events import connect_bus, envelope

from .support import email_template, eventually, handlers_on, mail_sink, running_notify

pytestmark = pytest.mark.postgres


def paid(email: str, reference: str = "HS-9") -> payment_events.PaymentSucceeded:
    return payment_events.PaymentSucceeded(
        payment_id="pay-1",
        reference=reference,
        description="Lệ phí hộ tịch",
        amount_vnd=1_250_000,
        payer_email=email,
        provider="sandbox",
    )


async def test_payment_succeeded_sends_the_agency_receipt_once(pg_url, unix_socket, tmp_path):
    async with mail_sink(tmp_path) as sink, running_notify(pg_url, unix_socket, smtp_port=sink.port) as run:
        await email_template(
            run, name="payment_receipt", subject="Biên lai ((reference))", body="Đã nhận ((amount))."
        )
        bus = connect_bus(run.app.settings.bus_url)
        await bus.publish(
            envelope("payment", paid("Payer@Example.VN"), subject="pay-1", agency_id="agency-a")
        )
        await bus.publish(envelope("payment", paid("x@example.vn"), subject="pay-2", agency_id="agency-b"))

        async def both_delivered() -> bool:
            return sink.handler.received == 2

        await eventually(both_delivered)
        a = await run.stub.ListNotifications(pb.ListNotificationsRequest(), metadata=run.auth("agency-a"))
        assert [(n.recipient, n.subject, n.body) for n in a.notifications] == [
            ("payer@example.vn", "Biên lai HS-9", "Đã nhận 1.250.000 ₫.")
        ]
        b = await run.stub.ListNotifications(pb.ListNotificationsRequest(), metadata=run.auth("agency-b"))
        assert (
            b.notifications[0].template_id == "builtin-payment-receipt"
        )  # no template: the built-in receipt
        assert "1.250.000 ₫" in b.notifications[0].body

        engine = create_engine(pg_url)
        units, deps = handlers_on(engine, run.app.settings)
        redelivered = envelope("payment", paid("again@example.vn"), subject="pay-3", agency_id="agency-a")
        await events.on_payment_succeeded(units(), deps, redelivered)
        await events.on_payment_succeeded(units(), deps, redelivered)  # a redelivery sends nothing
        await engine.dispose()
        a = await run.stub.ListNotifications(pb.ListNotificationsRequest(), metadata=run.auth("agency-a"))
        assert [n.recipient for n in a.notifications].count("again@example.vn") == 1


class CallbackReceiver:
    def __init__(self) -> None:
        self.received: list[tuple[bytes, str]] = []
        self.failures_left = 1

    async def handle(self, request: web.Request) -> web.Response:
        if self.failures_left:
            self.failures_left -= 1
            return web.Response(status=500)
        self.received.append((await request.read(), request.headers.get(SIGNATURE_HEADER, "")))
        return web.Response(status=204)


async def test_callbacks_are_signed_filtered_and_retried(pg_url, unix_socket):
    receiver = CallbackReceiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"
    try:
        async with running_notify(pg_url, unix_socket) as run:
            with pytest.raises(grpc.aio.AioRpcError) as insecure:
                await run.stub.SetCallback(
                    pb.SetCallbackRequest(url="http://example.com/hook"), metadata=run.auth()
                )
            assert insecure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            made = await run.stub.SetCallback(
                pb.SetCallbackRequest(url=url, statuses=[pb.NOTIFICATION_STATUS_PERMANENT_FAILURE]),
                metadata=run.auth(),
            )
            secret = made.signing_secret
            assert secret
            same = await run.stub.SetCallback(
                pb.SetCallbackRequest(url=url, statuses=[pb.NOTIFICATION_STATUS_PERMANENT_FAILURE]),
                metadata=run.auth(),
            )
            assert same.signing_secret == ""
            got = await run.stub.GetCallback(pb.GetCallbackRequest(), metadata=run.auth())
            assert got.callback.url == url
            template_id = await email_template(run)
            for key, outcome in [
                ("ok", pb.SIMULATED_OUTCOME_DELIVERED),
                ("bad", pb.SIMULATED_OUTCOME_PERMANENT_FAILURE),
            ]:
                await run.stub.SendEmail(
                    pb.SendEmailRequest(
                        template_id=template_id,
                        email_address="a@example.vn",
                        personalisation={"name": "A", "code": "1"},
                        idempotency_key=key,
                        simulated_outcome=outcome,
                    ),
                    metadata=run.auth(test=True),
                )

            async def called_back() -> bool:
                return len(receiver.received) >= 1

            await eventually(called_back)
            body, header = receiver.received[0]
            assert verify_signature([secret], header, body, int(time.time()))
            payload = json.loads(body)
            assert payload["status"] == "NOTIFICATION_STATUS_PERMANENT_FAILURE" and payload["test"] is True
            assert receiver.failures_left == 0  # the first POST failed and was retried
            await run.stub.DeleteCallback(pb.DeleteCallbackRequest(), metadata=run.auth())
            await run.stub.DeleteCallback(pb.DeleteCallbackRequest(), metadata=run.auth())
            with pytest.raises(grpc.aio.AioRpcError) as gone:
                await run.stub.GetCallback(pb.GetCallbackRequest(), metadata=run.auth())
            assert gone.value.code() == grpc.StatusCode.NOT_FOUND
        assert len(receiver.received) == 1  # the DELIVERED one was filtered out
    finally:
        await runner.cleanup()
