"""The embedded default: SQLite, the in-process mail sink started by the service, the sandbox SMS provider."""

from lienthong.notify.v1 import notify_pb2 as pb

from .support import email_template, eventually, received_ids, running_notify, statuses
from .test_delivery import free_port


async def test_embedded_mode_delivers_email_to_the_mail_folder_and_sms_through_the_sandbox(
    sqlite_url, unix_socket, tmp_path
):
    port = await free_port(tmp_path)
    folder = tmp_path / "mail"
    async with running_notify(sqlite_url, unix_socket, smtp_port=port, mail_sink_dir=str(folder)) as run:
        template_id = await email_template(run)
        sms = await run.stub.CreateTemplate(
            pb.CreateTemplateRequest(channel=pb.CHANNEL_SMS, name="otp", body="Mã OTP: ((code))"),
            metadata=run.auth(),
        )
        email = await run.stub.SendEmail(
            pb.SendEmailRequest(
                template_id=template_id,
                email_address="an@example.vn",
                personalisation={"name": "An", "code": "1"},
                idempotency_key="e",
            ),
            metadata=run.auth(),
        )
        batch = await run.stub.SendBatch(
            pb.SendBatchRequest(
                template_id=sms.template.id,
                idempotency_key="b",
                recipients=[
                    pb.BatchRecipient(recipient=f"091234567{i}", personalisation={"code": str(i)})
                    for i in range(5)
                ],
            ),
            metadata=run.auth(),
        )
        ids = [email.notification.id, *(r.notification_id for r in batch.results)]

        async def delivered() -> bool:
            return set(await statuses(run, ids)) == {pb.NOTIFICATION_STATUS_DELIVERED}

        await eventually(delivered)
        assert received_ids(folder) == [f"<{email.notification.id}@notify.lienthong.local>"]
        assert batch.results[0].notification_id and batch.batch.accepted_count == 5
