"""A receiving system for the resume drill: subscribes to its inbox from a cursor and records each event it
processed as one line ``cursor document_id kind`` (flushed and fsynced before the next is read), as a
document management system would commit each arrival before moving its cursor.

    python -m tests.documents.receiver SOCKET AFTER_CURSOR OUTFILE   (token in LIENTHONG_TEST_TOKEN)
"""

from __future__ import annotations

import asyncio
import os
import sys

import grpc

from lienthong.documents.v1 import documents_pb2 as pb
from lienthong.documents.v1 import documents_pb2_grpc


async def main(socket: str, after: int, outfile: str) -> None:
    metadata = (("authorization", f"Bearer {os.environ['LIENTHONG_TEST_TOKEN']}"),)
    async with grpc.aio.insecure_channel(f"unix:{socket}") as channel:
        stub = documents_pb2_grpc.DocumentsServiceStub(channel)
        with open(outfile, "a", encoding="utf-8") as out:
            async for event in stub.SubscribeInbox(
                pb.SubscribeInboxRequest(after_cursor=after), metadata=metadata
            ):
                out.write(f"{event.cursor} {event.document.document_id} {event.kind}\n")
                out.flush()
                os.fsync(out.fileno())
                await asyncio.sleep(0.02)  # a receiver that takes a moment per document


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
