"""The engine's upstream health check: ``grpc.health.v1.Health/Check`` written as raw HTTP/2 bytes.

HAProxy 2.6's ``http-check`` cannot send a body holding NUL bytes (a gRPC frame starts with five of them), so the
check is a ``tcp-check``: the client preface, an empty SETTINGS frame, one HEADERS frame (HPACK literals, no
Huffman) and one DATA frame carrying the framed empty request, then an expectation on the framed ``SERVING``
reply. A replica that is NOT_SERVING (draining) or not a gRPC server fails the check.
"""

from __future__ import annotations

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#: The framed HealthCheckResponse{status: SERVING}: flag 0, length 2, field 1 = 1.
SERVING = bytes.fromhex("00000000020801")


def _literal(name: int | str, value: str) -> bytes:
    """An HPACK literal header field without indexing (RFC 7541 6.2.2), by static-table index or by name."""
    encoded = value.encode()
    if isinstance(name, int):
        head = bytes([name]) if name < 15 else bytes([0x0F, name - 15])
    else:
        head = b"\x00" + bytes([len(name)]) + name.encode()
    return head + bytes([len(encoded)]) + encoded


def _frame(kind: int, flags: int, stream: int, payload: bytes) -> bytes:
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


def check_request(authority: str = "localhost") -> bytes:
    """The bytes of one health check on a fresh h2c connection."""
    headers = (
        b"\x83\x86"  # :method POST, :scheme http (static table 3 and 6)
        + _literal(4, "/grpc.health.v1.Health/Check")  # :path
        + _literal(1, authority)  # :authority
        + _literal(31, "application/grpc")  # content-type
        + _literal("te", "trailers")
    )
    settings, end_headers, end_stream = 0x4, 0x4, 0x1
    return (
        PREFACE
        + _frame(settings, 0, 0, b"")
        + _frame(0x1, end_headers, 1, headers)
        + _frame(0x0, end_stream, 1, b"\x00" * 5)
    )


def check_lines() -> list[str]:
    """The backend's check rules."""
    return [
        "option tcp-check",
        f"tcp-check send-binary {check_request().hex()}",
        f"tcp-check expect binary {SERVING.hex()}",
    ]
