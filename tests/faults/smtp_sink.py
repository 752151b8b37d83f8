"""``python -m tests.faults.smtp_sink DIR PORT``: the drills' counting SMTP sink, notify's MailSink in a process of
its own. Besides the .eml file per Message-ID it appends one line per accepted DATA to ``DIR/received.log``
(``<unix time>\\t<message-id>\\t<recipients>``), so re-sends of one message are counted too."""

from __future__ import annotations

import asyncio
import email
import email.policy
import sys
import time
from pathlib import Path
from typing import Any

from lienthong_notify.adapters.mail_sink import FolderHandler, MailSink


class CountingHandler(FolderHandler):
    def __init__(self, folder: str | Path) -> None:
        super().__init__(folder)
        self.log = Path(folder) / "received.log"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if answer.startswith("250"):
            content = envelope.original_content or envelope.content or b""
            message = email.message_from_bytes(content, policy=email.policy.default)
            with self.log.open("a", encoding="utf-8") as out:
                out.write(
                    f"{time.time():.3f}\t{message['Message-ID'] or ''}\t{','.join(envelope.rcpt_tos)}\n"
                )
        return answer


async def main(folder: str, port: int) -> None:
    sink = MailSink(folder, "127.0.0.1", port)
    sink.handler = CountingHandler(folder)
    await sink.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
