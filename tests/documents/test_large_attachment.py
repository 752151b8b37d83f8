"""A 100 MB attachment streams through the gateway (a separate process) and back, with the gateway's memory and
the service's memory held well below the attachment's size."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import resource
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from lienthong.documents.v1 import documents_pb2 as pb
from lienthong.documents.v1 import documents_pb2_grpc

from .conftest import Docs, metadata

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
SIZE = 100 * 1024 * 1024
CHUNK = 1024 * 1024
MB = 1024 * 1024


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


async def _peak_while(task: asyncio.Task, baseline: int, peak: list[int]) -> None:
    while not task.done():
        peak[0] = max(peak[0], _rss() - baseline)
        await asyncio.sleep(0.02)


async def test_a_100_mb_attachment_streams_through_the_gateway(docs: Docs, tmp_path: Path, capsys):
    sender, receiver = await docs.agency(), await docs.agency()
    gw_socket, rss_file = str(tmp_path / "gw.sock"), tmp_path / "gw-rss"
    env = {
        **os.environ,
        "LIENTHONG_TEST_JWKS": json.dumps(docs.mint.jwks()),
        "LIENTHONG_LOG_LEVEL": "WARNING",
    }
    upstream = f"unix:{docs.app.settings.unix_socket}"
    gw = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.documents.gateway_proc",
        gw_socket,
        upstream,
        str(rss_file),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert gw.stdout is not None
        ready, gateway_start = (await asyncio.wait_for(gw.stdout.readline(), 30)).split()
        assert ready == b"ready"
        channel = grpc.aio.insecure_channel(f"unix:{gw_socket}", options=[("grpc.so_reuseport", 0)])
        stub = documents_pb2_grpc.DocumentsServiceStub(channel)
        digest = hashlib.sha256()

        async def parts() -> AsyncIterator[pb.UploadAttachmentRequest]:
            yield pb.UploadAttachmentRequest(
                header=pb.AttachmentHeader(file_name="ban-do.tif", content_type="image/tiff")
            )
            for _ in range(SIZE // CHUNK):
                chunk = os.urandom(CHUNK)
                digest.update(chunk)
                yield pb.UploadAttachmentRequest(chunk=chunk)

        baseline, peak = _rss(), [0]
        loop = asyncio.get_running_loop()
        started = loop.time()
        upload = asyncio.ensure_future(stub.UploadAttachment(parts(), metadata=sender.md, timeout=300))
        await _peak_while(upload, baseline, peak)
        attachment = (await upload).attachment
        upload_s = loop.time() - started
        assert attachment.size_bytes == SIZE and attachment.sha256 == digest.hexdigest()

        doc = (
            await stub.SendDocument(
                pb.SendDocumentRequest(
                    idempotency_key="large-attachment-1",
                    metadata=metadata(),
                    recipient_codes=[receiver.code],
                    attachment_ids=[attachment.attachment_id],
                ),
                metadata=sender.md,
            )
        ).document
        back, received = hashlib.sha256(), [0]

        async def download() -> None:
            request = pb.DownloadAttachmentRequest(
                document_id=doc.document_id, attachment_id=attachment.attachment_id
            )
            async for message in stub.DownloadAttachment(request, metadata=receiver.md, timeout=300):
                back.update(message.chunk)
                received[0] += len(message.chunk)

        started = loop.time()
        down = asyncio.ensure_future(download())
        await _peak_while(down, baseline, peak)
        await down
        download_s = loop.time() - started
        assert received[0] == SIZE and back.hexdigest() == digest.hexdigest()
        await channel.close()
    finally:
        gw.send_signal(signal.SIGTERM)
        await asyncio.wait_for(gw.wait(), 30)
    gateway_peak = int(rss_file.read_text())
    gateway_growth = gateway_peak - int(gateway_start)
    # The gateway never holds the attachment: its peak grows by a small fraction of the attachment's size.
    assert gateway_growth < SIZE / 4, (gateway_start, gateway_peak)
    # Nor does the service (in this process, with the client): growth over the baseline stays small.
    assert peak[0] < SIZE / 3, peak[0]
    with capsys.disabled():
        print(
            f"\n100 MiB through the gateway: gateway peak RSS {gateway_peak / MB:.0f} MiB (at start "
            f"{int(gateway_start) / MB:.0f} MiB), service+client growth "
            f"{peak[0] / MB:.0f} MiB, upload {SIZE / MB / upload_s:.0f} MiB/s, "
            f"download {SIZE / MB / download_s:.0f} MiB/s"
        )
