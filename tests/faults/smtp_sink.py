"""``python -m tests.faults.smtp_sink DIR PORT``: the drills' SMTP sink, notify's MailSink in a process of its own."""

from __future__ import annotations

import asyncio
import sys

from lienthong_notify.adapters.mail_sink import MailSink


async def main(folder: str, port: int) -> None:
    sink = MailSink(folder, "127.0.0.1", port)
    await sink.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
