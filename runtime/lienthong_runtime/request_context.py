"""The request a piece of work belongs to: its id and trace context, as context variables.

The call pipeline sets them for each RPC (from ``x-request-id`` and ``traceparent``, or a fresh id); a bus consumer
sets the request id from the event it handles (:func:`correlated`), so the work an RPC starts keeps one id from the
call through the outbox to every consumer: the events they publish carry it as ``correlation_id`` and their log
lines print it as ``request_id``. This module imports nothing of the runtime, so every module may import it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

__all__ = ["correlated", "current_request_id", "current_traceparent", "set_request_id", "set_traceparent"]

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("lienthong_request_id", default="")
_traceparent: contextvars.ContextVar[str] = contextvars.ContextVar("lienthong_traceparent", default="")


def current_request_id() -> str:
    """The id of the request (or of the event's originating request) being handled; "" outside of one."""
    return _request_id.get()


def current_traceparent() -> str:
    """The W3C ``traceparent`` the caller sent, "" when none."""
    return _traceparent.get()


def set_request_id(request_id: str) -> contextvars.Token[str]:
    return _request_id.set(request_id)


def set_traceparent(traceparent: str) -> contextvars.Token[str]:
    return _traceparent.set(traceparent)


@contextlib.contextmanager
def correlated(request_id: str) -> Iterator[None]:
    """Run the block as part of request ``request_id`` (restored afterwards)."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)
