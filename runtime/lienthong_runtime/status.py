"""Turning errors into ``google.rpc.Status`` trailers with ``ErrorInfo``, ``BadRequest`` and ``RetryInfo``."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from .errors import ERROR_DOMAIN, DomainError, ResourceExhausted, Unavailable

STATUS_DETAILS_KEY = "grpc-status-details-bin"


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def error_status(
    code: grpc.StatusCode,
    message: str,
    reason: str,
    *,
    metadata: dict[str, str] | None = None,
    violations: list[tuple[str, str]] | None = None,
    retry_after: float | None = None,
) -> grpc.Status:
    """A status with an ``ErrorInfo`` and optional ``BadRequest`` / ``RetryInfo`` details."""
    details = [
        _pack(error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=metadata or {}))
    ]
    if violations:
        details.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
                        for f, d in violations
                    ]
                )
            )
        )
    if retry_after is not None:
        seconds = max(retry_after, 0.0)
        delay = duration_pb2.Duration(seconds=int(seconds), nanos=int((seconds % 1) * 1e9))
        details.append(_pack(error_details_pb2.RetryInfo(retry_delay=delay)))
    return rpc_status.to_status(status_pb2.Status(code=code.value[0], message=message, details=details))


def domain_error_status(error: DomainError, request_id: str = "") -> grpc.Status:
    metadata = dict(error.metadata)
    if request_id:
        metadata.setdefault("request_id", request_id)
    return error_status(
        grpc.StatusCode[error.code],
        error.message,
        error.reason,
        metadata=metadata,
        violations=[(v.field, v.description) for v in error.field_violations],
        retry_after=error.retry_after if isinstance(error, ResourceExhausted | Unavailable) else None,
    )


def internal_status(request_id: str = "") -> grpc.Status:
    return error_status(
        grpc.StatusCode.INTERNAL,
        "internal error; quote the request id when reporting it",
        "INTERNAL",
        metadata={"request_id": request_id} if request_id else None,
    )
