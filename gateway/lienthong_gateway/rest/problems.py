"""gRPC statuses as HTTP error responses in the AIP-193 JSON shape.

``{"error": {"code": 404, "message": "...", "status": "NOT_FOUND", "details": [{"@type":
"type.googleapis.com/google.rpc.ErrorInfo", "reason": "...", "domain": "lienthong.vn", "metadata": {...}}, ...]}}``

The details are the same ``google.rpc.Status`` details a gRPC caller gets in ``grpc-status-details-bin`` (the
upstream's, unchanged, or the gateway's own refusal), so both faces carry the same ``ErrorInfo`` reasons. HTTP
statuses follow the mapping documented in ``google/rpc/code.proto``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2, status_pb2

from lienthong_runtime.errors import DomainError
from lienthong_runtime.status import STATUS_DETAILS_KEY, domain_error_status, error_status, internal_status

#: google/rpc/code.proto's "HTTP Mapping" of every code.
HTTP_STATUS = {
    "OK": 200,
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "INVALID_ARGUMENT": 400,
    "DEADLINE_EXCEEDED": 504,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "PERMISSION_DENIED": 403,
    "UNAUTHENTICATED": 401,
    "RESOURCE_EXHAUSTED": 429,
    "FAILED_PRECONDITION": 400,
    "ABORTED": 409,
    "OUT_OF_RANGE": 400,
    "UNIMPLEMENTED": 501,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DATA_LOSS": 500,
}
_RETRY_INFO = error_details_pb2.RetryInfo.DESCRIPTOR.full_name
Response = tuple[int, bytes, list[tuple[bytes, bytes]]]


def status_response(
    code: grpc.StatusCode,
    message: str,
    trailing: Iterable[tuple[str, Any]] | None,
    *,
    http_status: int | None = None,
) -> Response:
    """The HTTP response for a gRPC status and its trailing metadata (``grpc-status-details-bin``)."""
    details: Any = []
    retry_after = None
    for key, value in trailing or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            try:
                status = status_pb2.Status.FromString(value)
            except Exception:  # undecodable details are dropped, never echoed
                break
            details = []
            for packed in status.details:
                try:
                    details.append(json_format.MessageToDict(packed))
                except Exception:  # a detail type this process does not know: name it only
                    details.append({"@type": packed.type_url})
                if packed.type_url.endswith(_RETRY_INFO):
                    info = error_details_pb2.RetryInfo()
                    packed.Unpack(info)
                    retry_after = max(1, round(info.retry_delay.ToTimedelta().total_seconds() + 0.49))
            break
    name = code.name
    status_code = http_status or HTTP_STATUS.get(name, 500)
    body = {"error": {"code": status_code, "message": message, "status": name, "details": details}}
    headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    challenge = _challenge(status_code, details)
    if challenge:
        headers.append((b"www-authenticate", challenge))
    return status_code, json.dumps(body, ensure_ascii=False).encode(), headers


def _challenge(status: int, details: list[dict[str, Any]]) -> bytes:
    """RFC 6750 section 3: no error code when the token is missing, ``invalid_token`` when it is refused,
    ``insufficient_scope`` (with the scopes) on 403 for a missing scope."""
    info = next((d for d in details if str(d.get("@type", "")).endswith("google.rpc.ErrorInfo")), {})
    reason = info.get("reason", "")
    if status == 401:
        return (
            b'Bearer realm="lienthong"'
            if reason == "TOKEN_MISSING"
            else (b'Bearer realm="lienthong", error="invalid_token"')
        )
    if status == 403 and reason == "SCOPE_MISSING":
        scope = str(info.get("metadata", {}).get("missing_scopes", "")).replace('"', "")
        return f'Bearer realm="lienthong", error="insufficient_scope", scope="{scope}"'.encode()
    return b""


def error_response(exc: BaseException, request_id: str) -> Response:
    """The gateway's own refusal (a ``DomainError``), or INTERNAL without the exception's text."""
    status = (
        domain_error_status(exc, request_id) if isinstance(exc, DomainError) else internal_status(request_id)
    )
    return status_response(status.code, status.details, status.trailing_metadata)


def route_error(
    http_status: int, code: grpc.StatusCode, message: str, reason: str, request_id: str
) -> Response:
    """404 / 405 / 413 for requests that reach no RPC, still in the AIP-193 shape with an ``ErrorInfo``."""
    status = error_status(code, message, reason, metadata={"request_id": request_id})
    return status_response(status.code, status.details, status.trailing_metadata, http_status=http_status)
