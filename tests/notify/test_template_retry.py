"""A retried CreateTemplate (issue #13, finding 2): creates are idempotent by content for the same agency, so the
client's retry of a create that committed gets the template it created, not TEMPLATE_NAME_TAKEN."""

import grpc
import pytest

from lienthong.notify.v1 import notify_pb2 as pb

from .support import details, running_notify

pytestmark = pytest.mark.postgres


async def test_a_retried_create_returns_the_template_it_created(pg_url, unix_socket):
    async with running_notify(pg_url, unix_socket) as run:
        auth = run.auth()
        request = pb.CreateTemplateRequest(
            channel=pb.CHANNEL_EMAIL, name="bien-lai", subject="Biên lai ((so))", body="Số tiền ((tien))."
        )
        created = (await run.stub.CreateTemplate(request, metadata=auth)).template
        again = (await run.stub.CreateTemplate(request, metadata=auth)).template
        assert again == created and again.version == 1
        # Still version 1 after an update: the answer the first call would have had.
        await run.stub.UpdateTemplate(
            pb.UpdateTemplateRequest(
                template_id=created.id, expected_version=1, name="bien-lai", subject="Biên lai", body="Mới."
            ),
            metadata=auth,
        )
        assert (await run.stub.CreateTemplate(request, metadata=auth)).template == created
        # Another body under the name is someone else's template: refused as before.
        other = pb.CreateTemplateRequest(channel=pb.CHANNEL_EMAIL, name="bien-lai", subject="x", body="y")
        with pytest.raises(grpc.aio.AioRpcError) as taken:
            await run.stub.CreateTemplate(other, metadata=auth)
        assert taken.value.code() == grpc.StatusCode.ALREADY_EXISTS
        assert details(taken.value)[0] == "TEMPLATE_NAME_TAKEN"
