"""The inbox feed: a receiver killed mid-subscription resumes from its cursor with nothing missed or doubled."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from lienthong.documents.v1 import documents_pb2 as pb

from .conftest import AGENCY_SCOPES, Docs

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def _lines(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    return [(int(cursor), doc) for cursor, doc, _ in rows]


async def _start(docs: Docs, receiver_id: str, after: int, out: Path) -> asyncio.subprocess.Process:
    env = {**os.environ, "LIENTHONG_TEST_TOKEN": docs.mint.token(AGENCY_SCOPES, agency=receiver_id)}
    socket = docs.app.settings.unix_socket
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.documents.receiver", str(socket), str(after), str(out), cwd=ROOT, env=env
    )


async def _wait_for(out: Path, count: int, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while len(_lines(out)) < count:
        assert asyncio.get_running_loop().time() < deadline, f"only {len(_lines(out))} of {count} events"
        await asyncio.sleep(0.05)


async def test_a_killed_receiver_resumes_from_its_cursor(docs: Docs, tmp_path: Path):
    sender, receiver = await docs.agency(), await docs.agency()
    out = tmp_path / "received.txt"
    sent = [(await sender.send([receiver])).document_id for _ in range(5)]

    first = await _start(docs, receiver.agency_id, 0, out)
    try:
        await _wait_for(out, 2)
        # More documents arrive while the receiver is working; then it is killed without warning.
        sent += [(await sender.send([receiver])).document_id for _ in range(5)]
        await _wait_for(out, 6)
        first.send_signal(signal.SIGKILL)
        await first.wait()
    finally:
        if first.returncode is None:
            first.kill()
    processed = _lines(out)
    assert len(processed) < len(sent), "the receiver was killed before the end of the feed"
    sent += [(await sender.send([receiver])).document_id for _ in range(5)]

    cursor = processed[-1][0]
    second = await _start(docs, receiver.agency_id, cursor, out)
    try:
        await _wait_for(out, len(sent))
        await asyncio.sleep(0.5)  # nothing extra arrives after the last one
    finally:
        second.kill()
        await second.wait()
    received = [doc for _, doc in _lines(out)]
    assert received == sent, "every document exactly once, in the order sent"
    cursors = [c for c, _ in _lines(out)]
    assert cursors == sorted(set(cursors))


async def test_recalls_reach_the_feed(docs: Docs):
    sender, receiver = await docs.agency(), await docs.agency()
    doc = await sender.send([receiver])
    await sender.RecallDocument(pb.RecallDocumentRequest(document_id=doc.document_id, reason="Nhầm"))
    feed = receiver.stub.SubscribeInbox(pb.SubscribeInboxRequest(), metadata=receiver.md)
    kinds = [(await feed.read()).kind for _ in range(2)]
    feed.cancel()
    assert kinds == [pb.INBOX_EVENT_KIND_ARRIVED, pb.INBOX_EVENT_KIND_RECALLED]
