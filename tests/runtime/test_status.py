import grpc
from google.rpc import error_details_pb2, status_pb2

from lienthong_runtime.errors import FieldViolation, InvalidArgument, ResourceExhausted, invalid
from lienthong_runtime.status import STATUS_DETAILS_KEY, domain_error_status, internal_status


def _details(status: grpc.Status) -> status_pb2.Status:
    raw = dict(status.trailing_metadata)[STATUS_DETAILS_KEY]
    return status_pb2.Status.FromString(raw)


def _unpack(status: status_pb2.Status, cls):
    for detail in status.details:
        if detail.Is(cls.DESCRIPTOR):
            message = cls()
            detail.Unpack(message)
            return message
    return None


def test_invalid_argument_carries_error_info_and_field_violations():
    error = InvalidArgument(
        "bad id",
        reason="PERSONAL_ID_INVALID",
        field_violations=[FieldViolation("personal_id", "must be 12 digits")],
    )
    status = domain_error_status(error, "rid-1")
    assert status.code is grpc.StatusCode.INVALID_ARGUMENT
    details = _details(status)
    info = _unpack(details, error_details_pb2.ErrorInfo)
    assert (info.reason, info.domain, info.metadata["request_id"]) == (
        "PERSONAL_ID_INVALID",
        "lienthong.vn",
        "rid-1",
    )
    bad = _unpack(details, error_details_pb2.BadRequest)
    assert [(v.field, v.description) for v in bad.field_violations] == [("personal_id", "must be 12 digits")]


def test_resource_exhausted_carries_retry_info():
    status = domain_error_status(ResourceExhausted("slow down", retry_after=1.5))
    retry = _unpack(_details(status), error_details_pb2.RetryInfo)
    assert retry.retry_delay.seconds == 1 and retry.retry_delay.nanos == 500_000_000


def test_internal_status_never_carries_exception_text():
    status = internal_status("rid-2")
    assert status.code is grpc.StatusCode.INTERNAL
    assert "rid-2" not in status.details and "Traceback" not in status.details
    assert _unpack(_details(status), error_details_pb2.ErrorInfo).reason == "INTERNAL"


def test_invalid_shorthand_names_the_field():
    error = invalid("amount_vnd", "must be positive", reason="AMOUNT_INVALID")
    assert error.reason == "AMOUNT_INVALID" and error.field_violations[0].field == "amount_vnd"
