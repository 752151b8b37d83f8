"""Templates through the API: versions, preview with segments, personalisation errors, pagination."""

import grpc
import pytest

from lienthong.notify.v1 import notify_pb2 as pb

from .support import details, email_template, running_notify

pytestmark = pytest.mark.postgres


async def test_versions_preview_and_version_mismatch(pg_url, unix_socket):
    async with running_notify(pg_url, unix_socket) as run:
        auth = run.auth()
        created = (
            await run.stub.CreateTemplate(
                pb.CreateTemplateRequest(
                    channel=pb.CHANNEL_SMS,
                    name="nhac-lich",
                    body="Nhắc lịch hẹn ((date))((late?? (trễ hạn))).",
                ),
                metadata=auth,
            )
        ).template
        assert created.version == 1 and list(created.placeholders) == ["date", "late"]
        updated = (
            await run.stub.UpdateTemplate(
                pb.UpdateTemplateRequest(
                    template_id=created.id, expected_version=1, name="nhac-lich", body="Hẹn ngày ((date))."
                ),
                metadata=auth,
            )
        ).template
        assert updated.version == 2 and list(updated.placeholders) == ["date"]
        with pytest.raises(grpc.aio.AioRpcError) as stale:
            await run.stub.UpdateTemplate(
                pb.UpdateTemplateRequest(
                    template_id=created.id, expected_version=1, name="nhac-lich", body="x"
                ),
                metadata=auth,
            )
        assert stale.value.code() == grpc.StatusCode.ABORTED and details(stale.value)[0] == "VERSION_MISMATCH"
        v1 = (
            await run.stub.GetTemplate(
                pb.GetTemplateRequest(template_id=created.id, version=1), metadata=auth
            )
        ).template
        assert v1.body.startswith("Nhắc lịch") and v1.version == 1
        preview = await run.stub.PreviewTemplate(
            pb.PreviewTemplateRequest(
                template_id=created.id, version=1, personalisation={"date": "01/12", "late": "yes"}
            ),
            metadata=auth,
        )
        assert preview.body == "Nhắc lịch hẹn 01/12 (trễ hạn)."
        assert preview.sms.encoding == pb.SMS_ENCODING_UCS2 and preview.sms.segment_count == 1


async def test_preview_refuses_missing_and_unknown_personalisation_naming_them(pg_url, unix_socket):
    async with running_notify(pg_url, unix_socket) as run:
        template_id = await email_template(run)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await run.stub.PreviewTemplate(
                pb.PreviewTemplateRequest(
                    template_id=template_id, personalisation={"name": "An", "colour": "do"}
                ),
                metadata=run.auth(),
            )
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        reason, violations = details(refused.value)
        assert reason == "PERSONALISATION_MISMATCH"
        assert [f for f, _ in violations] == ["personalisation.code", "personalisation.colour"]


async def test_71_character_vietnamese_sms_preview_is_two_ucs2_segments(pg_url, unix_socket):
    async with running_notify(pg_url, unix_socket) as run:
        body = "Hồ sơ của ((name)) đã được duyệt. Vui lòng đến nhận kết quả tại phường."
        created = (
            await run.stub.CreateTemplate(
                pb.CreateTemplateRequest(channel=pb.CHANNEL_SMS, name="duyet", body=body), metadata=run.auth()
            )
        ).template
        preview = await run.stub.PreviewTemplate(
            pb.PreviewTemplateRequest(template_id=created.id, personalisation={"name": "Trần Lan"}),
            metadata=run.auth(),
        )
        assert len(preview.body) == 71
        assert (preview.sms.encoding, preview.sms.character_count, preview.sms.segment_count) == (
            pb.SMS_ENCODING_UCS2,
            71,
            2,
        )


async def test_invalid_and_duplicate_templates_are_refused_and_lists_paginate(pg_url, unix_socket):
    async with running_notify(pg_url, unix_socket) as run:
        await email_template(run, name="dup")
        with pytest.raises(grpc.aio.AioRpcError) as taken:  # the same name for another template
            await email_template(run, name="dup", body="Một nội dung khác.")
        assert taken.value.code() == grpc.StatusCode.ALREADY_EXISTS
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await run.stub.CreateTemplate(
                pb.CreateTemplateRequest(channel=pb.CHANNEL_EMAIL, name="x", body="b"), metadata=run.auth()
            )
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert details(bad.value)[1][0][0] == "subject"
        for name in ["c", "a", "e", "b"]:
            await email_template(run, name=name)
        names, token = [], ""
        for _ in range(5):
            page = await run.stub.ListTemplates(
                pb.ListTemplatesRequest(page_size=2, page_token=token), metadata=run.auth()
            )
            names += [t.name for t in page.templates]
            token = page.next_page_token
            if not token:
                break
        assert names == ["a", "b", "c", "dup", "e"]


async def test_client_mistakes_get_the_platform_reasons(sqlite_url, unix_socket):
    """The same reasons as every service: page tokens bound to their list method, page size over 500 refused,
    and agency methods only for an agency's machine token."""
    async with running_notify(sqlite_url, unix_socket, worker_enabled=False) as run:
        for name in ["a", "b"]:
            await email_template(run, name=name)
        page = await run.stub.ListTemplates(pb.ListTemplatesRequest(page_size=1), metadata=run.auth())
        citizen = run.mint.metadata(["notify.templates.read"], kind="citizen", subject="citizen:1")
        refusals = [
            (pb.ListTemplatesRequest(page_token="not-a-token"), run.auth(), "PAGE_TOKEN_INVALID"),
            (pb.ListNotificationsRequest(page_token=page.next_page_token), run.auth(), "PAGE_TOKEN_INVALID"),
            (pb.ListTemplatesRequest(page_size=501), run.auth(), "PAGE_SIZE_INVALID"),
            (pb.ListNotificationsRequest(page_size=-1), run.auth(), "PAGE_SIZE_INVALID"),
            (pb.ListTemplatesRequest(), citizen, "AGENCY_REQUIRED"),
        ]
        for request, metadata, reason in refusals:
            method = (
                run.stub.ListTemplates
                if isinstance(request, pb.ListTemplatesRequest)
                else run.stub.ListNotifications
            )
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await method(request, metadata=metadata)
            assert details(refused.value)[0] == reason
        assert (
            len(
                (
                    await run.stub.ListTemplates(pb.ListTemplatesRequest(page_size=500), metadata=run.auth())
                ).templates
            )
            == 2
        )
