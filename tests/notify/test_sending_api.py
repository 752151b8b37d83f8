"""Sending through the API: delivery over SMTP, idempotency, validation, SMS, limits and test credentials."""

import grpc
import pytest

from lienthong.notify.v1 import notify_pb2 as pb

from .support import details, email_template, eventually, mail_sink, received_ids, running_notify, statuses

pytestmark = pytest.mark.postgres
VALUES = {"name": "Nguyễn Văn An", "code": "HS-001"}


async def test_email_is_delivered_over_smtp_and_retries_return_the_same_notification(
    pg_url, unix_socket, tmp_path
):
    async with mail_sink(tmp_path) as sink, running_notify(pg_url, unix_socket, smtp_port=sink.port) as run:
        template_id = await email_template(run)
        request = pb.SendEmailRequest(
            template_id=template_id,
            email_address="An.Nguyen@Example.VN",
            personalisation=VALUES,
            reference="hs-001",
            idempotency_key="k1",
        )
        first = (await run.stub.SendEmail(request, metadata=run.auth())).notification
        again = (await run.stub.SendEmail(request, metadata=run.auth())).notification
        assert again.id == first.id and first.recipient == "an.nguyen@example.vn"
        assert first.subject == "Chào Nguyễn Văn An" and "HS-001" in first.body
        changed = pb.SendEmailRequest(
            template_id=template_id,
            email_address="other@example.vn",
            personalisation=VALUES,
            idempotency_key="k1",
        )
        with pytest.raises(grpc.aio.AioRpcError) as reused:
            await run.stub.SendEmail(changed, metadata=run.auth())
        assert details(reused.value)[0] == "IDEMPOTENCY_KEY_REUSED"

        async def delivered() -> bool:
            return await statuses(run, [first.id]) == [pb.NOTIFICATION_STATUS_DELIVERED]

        await eventually(delivered)
        assert received_ids(tmp_path) == [f"<{first.id}@notify.lienthong.local>"]
        got = (
            await run.stub.GetNotification(
                pb.GetNotificationRequest(notification_id=first.id), metadata=run.auth()
            )
        ).notification
        assert got.attempt_count == 1 and got.send_time.seconds and got.complete_time.seconds


async def test_send_validation_names_every_problem(pg_url, unix_socket):
    async with running_notify(pg_url, unix_socket) as run:
        template_id = await email_template(run)
        with pytest.raises(grpc.aio.AioRpcError) as bad_email:
            await run.stub.SendEmail(
                pb.SendEmailRequest(
                    template_id=template_id,
                    email_address="not-an-address",
                    personalisation=VALUES,
                    idempotency_key="k",
                ),
                metadata=run.auth(),
            )
        assert details(bad_email.value)[1][0][0] == "email_address"
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await run.stub.SendEmail(
                pb.SendEmailRequest(
                    template_id=template_id,
                    email_address="a@example.vn",
                    personalisation={"name": "An", "extra": "1"},
                    idempotency_key="k",
                ),
                metadata=run.auth(),
            )
        reason, violations = details(missing.value)
        assert reason == "PERSONALISATION_MISMATCH"
        assert [f for f, _ in violations] == ["personalisation.code", "personalisation.extra"]
        with pytest.raises(grpc.aio.AioRpcError) as wrong_channel:
            await run.stub.SendSms(
                pb.SendSmsRequest(
                    template_id=template_id,
                    phone_number="0912345678",
                    personalisation=VALUES,
                    idempotency_key="k",
                ),
                metadata=run.auth(),
            )
        assert details(wrong_channel.value)[0] == "TEMPLATE_CHANNEL_MISMATCH"
        with pytest.raises(grpc.aio.AioRpcError) as simulated:
            await run.stub.SendEmail(
                pb.SendEmailRequest(
                    template_id=template_id,
                    email_address="a@example.vn",
                    personalisation=VALUES,
                    idempotency_key="k",
                    simulated_outcome=pb.SIMULATED_OUTCOME_DELIVERED,
                ),
                metadata=run.auth(),
            )
        assert details(simulated.value)[0] == "SIMULATION_REQUIRES_TEST_MODE"


async def test_sms_normalised_counted_and_delivered_by_the_sandbox_receipt(pg_url, unix_socket):
    async with running_notify(pg_url, unix_socket) as run:
        template = (
            await run.stub.CreateTemplate(
                pb.CreateTemplateRequest(channel=pb.CHANNEL_SMS, name="otp", body="Ma xac thuc: ((code))"),
                metadata=run.auth(),
            )
        ).template
        sent = (
            await run.stub.SendSms(
                pb.SendSmsRequest(
                    template_id=template.id,
                    phone_number="091 234 5678",
                    personalisation={"code": "123456"},
                    idempotency_key="s1",
                ),
                metadata=run.auth(),
            )
        ).notification
        assert sent.recipient == "+84912345678"
        assert (sent.sms.encoding, sent.sms.segment_count) == (pb.SMS_ENCODING_GSM7, 1)

        async def delivered() -> bool:
            return await statuses(run, [sent.id]) == [pb.NOTIFICATION_STATUS_DELIVERED]

        await eventually(delivered)


async def test_rate_limit_and_daily_cap_answer_resource_exhausted(pg_url, unix_socket):
    async with running_notify(
        pg_url,
        unix_socket,
        daily_cap_email=2,
        rate_limit_per_s=0.001,
        rate_limit_burst=4,
        worker_enabled=False,
    ) as run:
        template_id = await email_template(run)

        async def send(key: str, test: bool = False, agency: str = "agency-a"):
            return await run.stub.SendEmail(
                pb.SendEmailRequest(
                    template_id=template_id,
                    email_address="a@example.vn",
                    personalisation=VALUES,
                    idempotency_key=key,
                ),
                metadata=run.auth(agency, test=test),
            )

        await send("1")
        await send("2")
        with pytest.raises(grpc.aio.AioRpcError) as capped:
            await send("3")
        assert capped.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert details(capped.value)[0] == "DAILY_CAP_REACHED"
        test_send = (await send("t1", test=True)).notification  # test credentials do not count toward the cap
        assert test_send.test
        with pytest.raises(grpc.aio.AioRpcError) as limited:
            await send("t2", test=True)
        assert limited.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert details(limited.value)[0] == "RATE_LIMITED"


async def test_test_credentials_simulate_outcomes_without_a_provider(pg_url, unix_socket, tmp_path):
    async with mail_sink(tmp_path) as sink, running_notify(pg_url, unix_socket, smtp_port=sink.port) as run:
        template_id = await email_template(run)
        ids = []
        for key, outcome in [
            ("a", pb.SIMULATED_OUTCOME_UNSPECIFIED),
            ("b", pb.SIMULATED_OUTCOME_PERMANENT_FAILURE),
            ("c", pb.SIMULATED_OUTCOME_TEMPORARY_FAILURE),
        ]:
            sent = await run.stub.SendEmail(
                pb.SendEmailRequest(
                    template_id=template_id,
                    email_address="a@example.vn",
                    personalisation=VALUES,
                    idempotency_key=key,
                    simulated_outcome=outcome,
                ),
                metadata=run.auth(test=True),
            )
            assert sent.notification.test
            ids.append(sent.notification.id)
        expected = [
            pb.NOTIFICATION_STATUS_DELIVERED,
            pb.NOTIFICATION_STATUS_PERMANENT_FAILURE,
            pb.NOTIFICATION_STATUS_TEMPORARY_FAILURE,
        ]

        async def done() -> bool:
            return await statuses(run, ids) == expected

        await eventually(done)
        assert received_ids(tmp_path) == []  # nothing reached the SMTP server
