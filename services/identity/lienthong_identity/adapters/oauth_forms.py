"""Reading OAuth 2.0 HTTP requests and writing RFC 6749 answers: form parameters, client authentication
(``client_secret_basic``, ``client_secret_post``, RFC 7523 ``private_key_jwt``) and errors.

The domain errors the shared handlers raise are turned into RFC 6749 section 5.2 error codes here; the body also
carries the same ``ErrorInfo`` reason the gRPC method would (``reason``, an extension member clients ignore).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from urllib.parse import unquote_plus

import jwt
from aiohttp import web
from multidict import MultiDictProxy

from lienthong_runtime.errors import (
    DomainError,
    InvalidArgument,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)

FORM = "application/x-www-form-urlencoded"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: Every answer carrying or about a token: never stored by a cache (RFC 6749 section 5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
#: Refusals of an authenticated client that are about what it may do, not who it is.
_UNAUTHORIZED_CLIENT = {"CLIENT_DISABLED", "AGENCY_SUSPENDED"}


class OAuthError(Exception):
    """An RFC 6749 error answer: ``error`` code, HTTP status, description, optional reason and headers."""

    def __init__(
        self,
        error: str,
        description: str,
        status: int = 400,
        *,
        reason: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.reason = reason
        self.headers = dict(headers or {})

    def response(self) -> web.Response:
        body = {"error": self.error, "error_description": self.description}
        if self.reason:
            body["reason"] = self.reason
        return web.Response(
            text=json.dumps(body),
            status=self.status,
            content_type="application/json",
            headers={**NO_STORE, **self.headers},
        )


def from_domain(exc: DomainError, *, basic: bool = False) -> OAuthError:
    """The RFC 6749 error for a handler's refusal."""
    if isinstance(exc, Unauthenticated):
        # RFC 6749 5.2: 401, with a challenge for the scheme the client tried when it used the header.
        headers = {"WWW-Authenticate": 'Basic realm="lienthong"'} if basic else {}
        return OAuthError("invalid_client", exc.message, 401, reason=exc.reason, headers=headers)
    if isinstance(exc, PermissionDenied):
        code = "unauthorized_client" if exc.reason in _UNAUTHORIZED_CLIENT else "invalid_scope"
        return OAuthError(code, exc.message, 400, reason=exc.reason)
    if isinstance(exc, ResourceExhausted):
        retry = str(max(1, round(exc.retry_after or 1)))
        return OAuthError(
            "temporarily_unavailable", exc.message, 429, reason=exc.reason, headers={"Retry-After": retry}
        )
    if isinstance(exc, Unavailable):
        return OAuthError("temporarily_unavailable", exc.message, 503, reason=exc.reason)
    if isinstance(exc, InvalidArgument) and exc.reason in {"SCOPE_NOT_ALLOWED"}:
        return OAuthError("invalid_scope", exc.message, 400, reason=exc.reason)
    return OAuthError("invalid_request", exc.message, 400, reason=exc.reason)


async def read_form(request: web.Request) -> MultiDictProxy[str]:
    """The form-encoded body, refusing other media types and repeated parameters (RFC 6749 section 3.2)."""
    if request.content_type != FORM:
        raise OAuthError("invalid_request", f"the body must be {FORM}")
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise OAuthError("invalid_request", "the body is too large", 413) from None
    except (ValueError, UnicodeDecodeError):
        raise OAuthError("invalid_request", "the body is not a valid form") from None
    for name in set(form.keys()):
        if len(form.getall(name)) > 1:
            raise OAuthError("invalid_request", f"the parameter {name} is repeated")
    return form  # type: ignore[return-value]  # files are impossible with this media type


def text(form: MultiDictProxy[str], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class ClientAuth:
    """How the client authenticated: exactly one of ``secret`` and ``assertion`` is set."""

    client_id: str
    secret: str = ""
    assertion: str = ""
    #: The client used the Authorization header (the error answer then carries a Basic challenge).
    basic: bool = False


def _basic(header: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    client_id, colon, secret = decoded.partition(":")
    if not colon or not client_id:
        raise OAuthError(
            "invalid_client",
            "malformed Basic credentials",
            401,
            headers={"WWW-Authenticate": 'Basic realm="lienthong"'},
        )
    # RFC 6749 2.3.1: both parts are form-urlencoded before being joined.
    return unquote_plus(client_id), unquote_plus(secret)


def _assertion_subject(assertion: str) -> str:
    """The client id an assertion names (``sub``), read before verification only to find the client."""
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise OAuthError("invalid_client", "the client assertion is not a JWT", 401) from None
    subject = claims.get("sub")
    return subject if isinstance(subject, str) else ""


def client_auth(request: web.Request, form: MultiDictProxy[str]) -> ClientAuth:
    """The client's credentials from the request, by exactly one method (RFC 6749 section 2.3)."""
    header = request.headers.get("Authorization", "")
    basic = header[:6].lower() == "basic "
    form_id, form_secret = text(form, "client_id"), text(form, "client_secret")
    assertion_type, assertion = text(form, "client_assertion_type"), text(form, "client_assertion")
    methods = [basic, bool(form_secret), bool(assertion or assertion_type)]
    if sum(methods) > 1:
        raise OAuthError("invalid_request", "use exactly one client authentication method")
    if basic:
        client_id, secret = _basic(header)
        if form_id and form_id != client_id:
            raise OAuthError("invalid_request", "client_id differs from the authenticated client")
        return ClientAuth(client_id, secret=secret, basic=True)
    if form_secret:
        return ClientAuth(form_id, secret=form_secret)
    if assertion or assertion_type:
        if assertion_type != ASSERTION_TYPE or not assertion:
            raise OAuthError("invalid_client", f"client_assertion_type must be {ASSERTION_TYPE}", 401)
        subject = _assertion_subject(assertion)
        if form_id and form_id != subject:
            raise OAuthError("invalid_client", "client_id differs from the assertion's subject", 401)
        return ClientAuth(form_id or subject, assertion=assertion)
    raise OAuthError("invalid_client", "client authentication is required", 401)
