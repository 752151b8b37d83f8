"""Copies of gRPC call details with some attributes changed, for the client's interceptors (the token and the
default deadline are both added this way)."""

from __future__ import annotations

from typing import Any, NamedTuple

import grpc

__all__ = ["replace_aio_details", "replace_sync_details"]


class _SyncCallDetails(
    NamedTuple(
        "_SyncCallDetails",
        [
            ("method", str),
            ("timeout", float | None),
            ("metadata", Any),
            ("credentials", Any),
            ("wait_for_ready", Any),
            ("compression", Any),
        ],
    ),
    grpc.ClientCallDetails,
):
    """Concrete ``grpc.ClientCallDetails`` for the synchronous interceptors."""


def replace_sync_details(details: grpc.ClientCallDetails, **changes: Any) -> grpc.ClientCallDetails:
    """A copy of synchronous call details with some attributes changed."""
    values: dict[str, Any] = {
        name: getattr(details, name, None)
        for name in ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")
    }
    values.update(changes)
    return _SyncCallDetails(**values)


def replace_aio_details(details: grpc.aio.ClientCallDetails, **changes: Any) -> grpc.aio.ClientCallDetails:
    """A copy of asyncio call details with some attributes changed."""
    values: dict[str, Any] = {
        name: getattr(details, name, None)
        for name in ("method", "timeout", "metadata", "credentials", "wait_for_ready")
    }
    values.update(changes)
    return grpc.aio.ClientCallDetails(**values)
