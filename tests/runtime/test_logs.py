"""JSON log lines: one object per line with the call's fields, Unicode kept, exceptions included."""

import io
import json
import logging

from lienthong_runtime.logs import configure_logging


def test_access_line_is_one_json_object_with_extras():
    stream = io.StringIO()
    configure_logging("INFO", stream)
    try:
        logging.getLogger("lienthong.access").info(
            "rpc",
            extra={
                "method": "/lienthong.registry.v1.RegistryService/GetCitizen",
                "code": "OK",
                "agency": "Sở Tư pháp",
                "duration_ms": 1.25,
            },
        )
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("lienthong.errors").exception("unhandled error")
    finally:
        configure_logging("WARNING")
    first, second = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert first["msg"] == "rpc" and first["level"] == "info" and first["logger"] == "lienthong.access"
    assert first["agency"] == "Sở Tư pháp" and first["duration_ms"] == 1.25 and first["code"] == "OK"
    assert first["ts"].endswith("Z") and len(first["ts"]) == len("2026-11-27T10:00:00.000Z")
    assert "Sở Tư pháp" in stream.getvalue()  # not escaped to \\u sequences
    assert second["level"] == "error" and "ValueError: boom" in second["exc"]
