"""Domain errors that carry their own gRPC status.

Domain and handler code raises these; it never imports grpc. The runtime's error interceptor turns each into a
``google.rpc.Status`` with an ``ErrorInfo`` (reason, domain, metadata) and, for bad input, a ``BadRequest`` with
field violations. Any other exception becomes INTERNAL without its text.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR_DOMAIN = "lienthong.vn"


@dataclass(frozen=True)
class FieldViolation:
    """One bad field of a request: ``field`` is the proto field path, ``description`` says what is wrong."""

    field: str
    description: str


class DomainError(Exception):
    """Base of every error a caller can cause or see.

    Subclasses set ``code`` (a ``grpc.StatusCode`` name) and a default ``reason`` (UPPER_SNAKE_CASE).
    """

    code = "UNKNOWN"
    reason = "UNKNOWN"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        metadata: dict[str, str] | None = None,
        field_violations: list[FieldViolation] | tuple[FieldViolation, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason
        self.metadata = dict(metadata or {})
        self.field_violations = list(field_violations)


class InvalidArgument(DomainError):
    code = "INVALID_ARGUMENT"
    reason = "INVALID_ARGUMENT"


class NotFound(DomainError):
    code = "NOT_FOUND"
    reason = "NOT_FOUND"


class AlreadyExists(DomainError):
    code = "ALREADY_EXISTS"
    reason = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    code = "FAILED_PRECONDITION"
    reason = "FAILED_PRECONDITION"


class Aborted(DomainError):
    """A concurrent change won (optimistic concurrency); the caller may re-read and retry."""

    code = "ABORTED"
    reason = "CONCURRENT_MODIFICATION"


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"
    reason = "PERMISSION_DENIED"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"
    reason = "UNAUTHENTICATED"


class ResourceExhausted(DomainError):
    """A limit was hit. ``retry_after`` (seconds) becomes a ``google.rpc.RetryInfo``."""

    code = "RESOURCE_EXHAUSTED"
    reason = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency (provider, bus, upstream) cannot be reached; retrying later may work. ``retry_after``
    (seconds), when known, becomes a ``google.rpc.RetryInfo``."""

    code = "UNAVAILABLE"
    reason = "DEPENDENCY_UNAVAILABLE"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


def invalid(field: str, description: str, *, reason: str = "INVALID_ARGUMENT") -> InvalidArgument:
    """Shorthand for an ``InvalidArgument`` about one field."""
    return InvalidArgument(
        f"{field}: {description}", reason=reason, field_violations=[FieldViolation(field, description)]
    )
