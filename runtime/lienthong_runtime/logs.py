"""Structured JSON logs on stderr: one object a line, never a secret, token or request body.

Personal data has one rule in logs as in tables and outboxes: it is not written in clear. Code logs ids, not
people. A line written while a request is handled (or an event it caused, in a consumer) carries its
``request_id``. As a last line of defence every line (including third-party loggers' messages, such as an SMTP
library naming envelope addresses) has e-mail addresses, 12-digit personal IDs and Vietnamese phone numbers
replaced by a placeholder before it is written."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

from .request_context import current_request_id

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


_PERSONAL = re.compile(
    r"(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
    r"|(?<![0-9A-Za-z])(?:(?P<pid>\d{12})|(?P<phone>(?:\+84|0)\d{9}))(?![0-9A-Za-z])"
)


def _placeholder(match: re.Match[str]) -> str:
    return f"[{match.lastgroup}]"


def redact(line: str) -> str:
    """``line`` with e-mail addresses, personal IDs and phone numbers replaced by ``[email]``, ``[pid]``,
    ``[phone]``."""
    return _PERSONAL.sub(_placeholder, line)


#: One encoder for every line (``json.dumps`` with arguments builds a new one per call).
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode


class JsonFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._stamp = ""

    def _ts(self, record: logging.LogRecord) -> str:
        # Every call logs a line: format the date part once per second, not once per line.
        second = int(record.created)
        if second != self._second:
            self._stamp, self._second = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)), second
        return f"{self._stamp}.{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self._ts(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if "request_id" not in entry:
            # Lines logged while a request (or an event it caused, in a consumer) is handled name it.
            request_id = current_request_id()
            if request_id:
                entry["request_id"] = request_id
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return redact(_ENCODE(entry))


def configure_logging(level: str = "INFO", stream: Any = None) -> None:
    """Install the JSON formatter on the root logger (idempotent)."""
    root = logging.getLogger()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # mail.log: aiosmtpd (the embedded mail sink) names every envelope sender and recipient at INFO.
    for noisy in ("aiosqlite", "asyncio", "sqlalchemy.engine", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
