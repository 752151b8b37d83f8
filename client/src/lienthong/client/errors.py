"""Read the machine-readable details of a failed call.

Liên Thông services answer errors as ``google.rpc.Status`` carried in the ``grpc-status-details-bin``
trailer, with an ``ErrorInfo`` (UPPER_SNAKE ``reason``, ``domain`` ``lienthong.vn``, ``metadata``) and, for
bad input, a ``BadRequest`` listing field violations. Branch on ``reason``, never on the message text.

The official ``google.rpc`` messages (package ``googleapis-common-protos``) are used when installed; otherwise
a small decoder reads the few fields needed, so the client keeps only grpcio and protobuf as dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import grpc

STATUS_DETAILS_KEY = "grpc-status-details-bin"
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
_BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


@dataclass(frozen=True)
class FieldViolation:
    """One invalid request field: ``field`` is a path such as ``citizen.date_of_birth``."""

    field: str
    description: str


@dataclass(frozen=True)
class ErrorDetails:
    """The parts of ``google.rpc.Status`` a caller acts on."""

    reason: str
    domain: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    field_violations: tuple[FieldViolation, ...] = ()
    code: int = 0
    message: str = ""


def _details_bytes(rpc_error: grpc.RpcError) -> bytes | None:
    trailing = getattr(rpc_error, "trailing_metadata", None)
    if trailing is None:
        return None
    for key, value in trailing() or ():
        if key == STATUS_DETAILS_KEY:
            return value if isinstance(value, bytes) else str(value).encode("latin-1")
    return None


def error_info(rpc_error: grpc.RpcError, *, use_googleapis: bool = True) -> ErrorDetails | None:
    """The ``ErrorInfo`` reason and field violations of a failed call, or ``None`` when it carries none.

    Works with errors from both synchronous and asyncio channels. ``use_googleapis=False`` forces the built-in
    decoder (for tests).
    """
    raw = _details_bytes(rpc_error)
    if not raw:
        return None
    try:
        parsed = _parse_with_googleapis(raw) if use_googleapis else None
        if parsed is None:
            parsed = _parse_minimal(raw)
    except Exception:  # malformed trailer: behave as if there were no details
        return None
    return parsed


def _parse_with_googleapis(raw: bytes) -> ErrorDetails | None:
    try:
        from google.rpc import error_details_pb2, status_pb2
    except ImportError:
        return None
    status = status_pb2.Status.FromString(raw)
    reason, domain, metadata, violations = "", "", {}, []
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason, domain, metadata = info.reason, info.domain, dict(info.metadata)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations += [FieldViolation(v.field, v.description) for v in bad.field_violations]
    if not reason and not violations:
        return None
    return ErrorDetails(reason, domain, metadata, tuple(violations), status.code, status.message)


# --- minimal protobuf wire decoding (only varints and length-delimited fields are needed) ---


def _fields(buf: bytes) -> list[tuple[int, Any]]:
    out: list[tuple[int, Any]] = []
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire_type = key >> 3, key & 7
        value: Any
        if wire_type == 0:
            value, pos = _varint(buf, pos)
        elif wire_type == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
            if pos > len(buf):
                raise ValueError("truncated field")
        elif wire_type == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire_type == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        out.append((number, value))
    return out


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _text(value: bytes) -> str:
    return value.decode("utf-8")


def _parse_minimal(raw: bytes) -> ErrorDetails | None:
    code, message = 0, ""
    reason, domain, metadata, violations = "", "", {}, []
    for number, value in _fields(raw):  # google.rpc.Status
        if number == 1:
            code = value
        elif number == 2:
            message = _text(value)
        elif number == 3:  # google.protobuf.Any details
            any_fields = dict(_fields(value))
            type_url, payload = _text(any_fields.get(1, b"")), any_fields.get(2, b"")
            if type_url == _ERROR_INFO:
                for n, v in _fields(payload):
                    if n == 1:
                        reason = _text(v)
                    elif n == 2:
                        domain = _text(v)
                    elif n == 3:  # map entry: key = 1, value = 2
                        entry = dict(_fields(v))
                        metadata[_text(entry.get(1, b""))] = _text(entry.get(2, b""))
            elif type_url == _BAD_REQUEST:
                for n, v in _fields(payload):
                    if n == 1:
                        violation = dict(_fields(v))
                        violations.append(
                            FieldViolation(_text(violation.get(1, b"")), _text(violation.get(2, b"")))
                        )
    if not reason and not violations:
        return None
    return ErrorDetails(reason, domain, metadata, tuple(violations), code, message)
