"""Agency isolation, batch sends with their report and status, and one-off priority over bulk."""

import grpc
import pytest

from lienthong.notify.v1 import notify_pb2 as pb
from lienthong_notify.adapters.notification_store import SqlNotificationRepository
from lienthong_notify.adapters.queue import SqlDeliveryQueue
from lienthong_notify.domain.notifications import BULK, ONE_OFF, NewNotification
from lienthong_runtime.db import create_engine

from .support import details, email_template, eventually, mail_sink, migrate, personal, running_notify
from .test_queue import notification

pytestmark = pytest.mark.postgres
VALUES = {"name": "An", "code": "1"}


async def test_agency_b_cannot_read_or_use_agency_a_templates_or_notifications(pg_url, unix_socket):
    async with running_notify(pg_url, unix_socket, worker_enabled=False) as run:
        template_id = await email_template(run, agency="agency-a")
        sent = (
            await run.stub.SendEmail(
                pb.SendEmailRequest(
                    template_id=template_id,
                    email_address="a@example.vn",
                    personalisation=VALUES,
                    idempotency_key="k",
                ),
                metadata=run.auth("agency-a"),
            )
        ).notification
        batch = (
            await run.stub.SendBatch(
                pb.SendBatchRequest(
                    template_id=template_id,
                    idempotency_key="b",
                    recipients=[pb.BatchRecipient(recipient="b@example.vn", personalisation=VALUES)],
                ),
                metadata=run.auth("agency-a"),
            )
        ).batch
        b = run.auth("agency-b")
        calls = [
            run.stub.GetTemplate(pb.GetTemplateRequest(template_id=template_id), metadata=b),
            run.stub.PreviewTemplate(
                pb.PreviewTemplateRequest(template_id=template_id, personalisation=VALUES), metadata=b
            ),
            run.stub.UpdateTemplate(
                pb.UpdateTemplateRequest(
                    template_id=template_id, expected_version=1, name="x", subject="s", body="b"
                ),
                metadata=b,
            ),
            run.stub.SendEmail(
                pb.SendEmailRequest(
                    template_id=template_id,
                    email_address="a@example.vn",
                    personalisation=VALUES,
                    idempotency_key="k",
                ),
                metadata=b,
            ),
            run.stub.GetNotification(pb.GetNotificationRequest(notification_id=sent.id), metadata=b),
            run.stub.GetBatch(pb.GetBatchRequest(batch_id=batch.id), metadata=b),
        ]
        for call in calls:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await call
            assert refused.value.code() == grpc.StatusCode.NOT_FOUND
        assert not (await run.stub.ListTemplates(pb.ListTemplatesRequest(), metadata=b)).templates
        assert not (await run.stub.ListNotifications(pb.ListNotificationsRequest(), metadata=b)).notifications
        mine = await run.stub.ListNotifications(pb.ListNotificationsRequest(), metadata=run.auth("agency-a"))
        assert len(mine.notifications) == 2


async def test_batch_reports_each_recipient_and_completes(pg_url, unix_socket, tmp_path):
    async with mail_sink(tmp_path) as sink, running_notify(pg_url, unix_socket, smtp_port=sink.port) as run:
        template_id = await email_template(run)
        recipients = [
            pb.BatchRecipient(recipient="a@example.vn", personalisation=VALUES, reference="r0"),
            pb.BatchRecipient(recipient="broken", personalisation={"name": "x"}),
            pb.BatchRecipient(recipient="c@example.vn", personalisation=VALUES),
        ]
        request = pb.SendBatchRequest(template_id=template_id, recipients=recipients, idempotency_key="b1")
        response = await run.stub.SendBatch(request, metadata=run.auth())
        assert (
            response.batch.recipient_count,
            response.batch.accepted_count,
            response.batch.rejected_count,
        ) == (3, 2, 1)
        assert [bool(r.notification_id) for r in response.results] == [True, False, True]
        assert [v.field for v in response.results[1].violations] == ["recipient", "personalisation.code"]
        again = await run.stub.SendBatch(request, metadata=run.auth())
        assert again.batch.id == response.batch.id and again.results == response.results

        async def completed() -> bool:
            got = await run.stub.GetBatch(pb.GetBatchRequest(batch_id=response.batch.id), metadata=run.auth())
            return got.batch.state == pb.BATCH_STATE_COMPLETED

        await eventually(completed)
        listed = await run.stub.ListNotifications(
            pb.ListNotificationsRequest(
                batch_id=response.batch.id, statuses=[pb.NOTIFICATION_STATUS_DELIVERED]
            ),
            metadata=run.auth(),
        )
        assert len(listed.notifications) == 2
        with pytest.raises(grpc.aio.AioRpcError) as all_or_nothing:
            await run.stub.SendBatch(
                pb.SendBatchRequest(
                    template_id=template_id,
                    recipients=recipients,
                    idempotency_key="b2",
                    reject_all_on_error=True,
                ),
                metadata=run.auth(),
            )
        assert [f for f, _ in details(all_or_nothing.value)[1]] == [
            "recipients[1].recipient",
            "recipients[1].personalisation.code",
        ]
        with pytest.raises(grpc.aio.AioRpcError) as too_large:
            await run.stub.SendBatch(
                pb.SendBatchRequest(
                    template_id=template_id, idempotency_key="b3", recipients=recipients[:1] * 1001
                ),
                metadata=run.auth(),
            )
        assert details(too_large.value)[0] == "BATCH_TOO_LARGE"


async def test_one_off_messages_are_claimed_before_earlier_bulk(pg_url):
    from datetime import UTC, datetime, timedelta

    await migrate(pg_url)
    engine = create_engine(pg_url)
    sessions = engine.connect
    now = datetime.now(UTC)
    bulk = [notification(now - timedelta(seconds=10)) for _ in range(5)]
    one_off = notification(now)
    async with sessions() as session, session.begin():
        store = SqlNotificationRepository(session, personal())
        await store.add([NewNotification(n, None, "", BULK, now + timedelta(hours=1)) for n in bulk])
        await store.add([NewNotification(one_off, None, "", ONE_OFF, now + timedelta(hours=1))])
    async with sessions() as session, session.begin():
        first = await SqlDeliveryQueue(session, personal()).claim(2, 60, now + timedelta(seconds=1))
    assert first[0].notification.id == one_off.id or first[1].notification.id == one_off.id
    async with sessions() as session, session.begin():
        rest = await SqlDeliveryQueue(session, personal()).claim(10, 60, now + timedelta(seconds=1))
    assert len(rest) == 4  # leased entries are not claimed twice
    await engine.dispose()
