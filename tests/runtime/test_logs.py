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


def test_personal_data_never_reaches_a_log_line() -> None:
    """Issue #12, finding 3: one rule for personal data, in logs too (aiosmtpd logged envelope addresses)."""
    import io
    import logging

    from lienthong_runtime.logs import configure_logging

    stream = io.StringIO()
    configure_logging("INFO", stream)
    logging.getLogger("mail.log").info("recip: %s", "dan@example.vn")
    logging.getLogger("lienthong.test").info(
        "sent to %s for %s, phone %s",
        "payer-1@example.vn",
        "001204123456",
        "+84912345678",
        extra={"request_id": "4c79285610854485a0de", "agency": "ag_7712041234567"},
    )
    text = stream.getvalue()
    for personal in ("dan@example.vn", "payer-1@example.vn", "001204123456", "+84912345678"):
        assert personal not in text
    assert "[email]" in text and "[pid]" in text and "[phone]" in text
    assert "4c79285610854485a0de" in text and "ag_7712041234567" in text  # ids are left alone
