"""OAuth 2.0 over HTTP on identity's HTTP side: the token endpoint (RFC 6749 client credentials, RFC 7523 client
assertions), introspection (RFC 7662) and revocation (RFC 7009).

Each route reads the form, then calls the very handler the gRPC method calls (``issue_token``, ``introspect``,
``revoke``), so audit records, refusals and their reasons are the same; only the encoding differs.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from lienthong_runtime.config import trusted_proxies
from lienthong_runtime.contract import access_rule
from lienthong_runtime.db_errors import database_unavailable
from lienthong_runtime.errors import DomainError, PermissionDenied, Unauthenticated

from ..domain.audit import Caller
from ..domain.tokens import TOKEN_ENDPOINT_PATH
from ..handlers import tokens
from ..handlers.context import Context
from .http_source import SourceBudget, client_address, request_id
from .oauth_forms import NO_STORE, OAuthError, client_auth, from_domain, read_form, text

log = logging.getLogger("lienthong.identity.oauth")
access_log = logging.getLogger("lienthong.access")

Route = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]
TOKEN_PATH = TOKEN_ENDPOINT_PATH
INTROSPECT_PATH = "/oauth2/introspect"
REVOKE_PATH = "/oauth2/revoke"
#: RFC 7009 / 7662 hint values and the handlers' names for them.
HINTS = {"access_token": "access", "refresh_token": "refresh"}
_INTROSPECT_RULE = "/lienthong.identity.v1.IdentityService/IntrospectToken"


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body), status=status, content_type="application/json", headers=NO_STORE
    )


class OAuthRoutes:
    """The three endpoints, sharing the address rule and the per-address budget."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        settings = ctx.settings
        self.proxies = trusted_proxies(settings)
        self.budget = SourceBudget(settings.oauth_http_rate, settings.oauth_http_burst)
        rule = access_rule(_INTROSPECT_RULE)
        # The contract decides who may introspect, as for the gRPC method (fail closed if it says nothing).
        self.introspect_scopes = rule.scopes if rule else frozenset({"platform.admin"})

    def routes(self) -> list[Route]:
        return [
            ("POST", TOKEN_PATH, self._guarded(self.token)),
            ("POST", INTROSPECT_PATH, self._guarded(self.introspect)),
            ("POST", REVOKE_PATH, self._guarded(self.revoke)),
        ]

    def _guarded(
        self, handler: Callable[[web.Request, Caller], Awaitable[web.Response]]
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        """Budget per address, request id, then the handler; every refusal as an RFC 6749 error body."""

        async def route(request: web.Request) -> web.Response:
            started, rid = time.perf_counter(), request_id(request)
            caller = Caller(source_ip=client_address(request, self.proxies), request_id=rid)
            try:
                self.budget.spend(caller.source_ip)
                response = await handler(request, caller)
            except OAuthError as exc:
                response = exc.response()
            except DomainError as exc:
                response = from_domain(exc).response()
            except Exception as exc:
                if database_unavailable(exc):  # as the gRPC pipeline answers UNAVAILABLE
                    log.warning("database unreachable", extra={"path": request.path, "request_id": rid})
                    response = OAuthError("temporarily_unavailable", "retry shortly", 503).response()
                else:
                    log.exception("oauth endpoint failed", extra={"path": request.path, "request_id": rid})
                    response = OAuthError("server_error", "internal error", 500).response()
            response.headers["X-Request-Id"] = rid
            # One access-log line per call, as the gRPC pipeline writes (never a form value or a token).
            access_log.info(
                "http",
                extra={
                    "service": "identity",
                    "path": request.path,
                    "status": response.status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    "request_id": rid,
                },
            )
            return response

        return route

    async def token(self, request: web.Request, caller: Caller) -> web.Response:
        form = await read_form(request)
        grant = text(form, "grant_type")
        if not grant:
            raise OAuthError("invalid_request", "grant_type is required")
        if grant != "client_credentials":
            raise OAuthError("unsupported_grant_type", "only client_credentials is supported here")
        auth = client_auth(request, form)
        if not auth.client_id:
            raise OAuthError("invalid_client", "client authentication failed", 401)
        try:
            issued = await tokens.issue_token(
                self.ctx.uow(),
                self.ctx,
                caller,
                auth.client_id,
                auth.secret,
                auth.assertion,
                text(form, "scope").split(),
            )
        except DomainError as exc:
            raise from_domain(exc, basic=auth.basic) from None
        return _json(
            {
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": " ".join(sorted(issued.scopes)),
            }
        )

    async def introspect(self, request: web.Request, caller: Caller) -> web.Response:
        """The caller proves its right with a bearer token carrying the scopes the gRPC method requires."""
        header = request.headers.get("Authorization", "")
        challenge = {"WWW-Authenticate": 'Bearer realm="lienthong"'}
        if header[:7].lower() != "bearer ":
            raise OAuthError("invalid_client", "a bearer token is required", 401, headers=challenge)
        try:
            principal = await self.ctx.verifier.verify(header[7:].strip())
        except (Unauthenticated, PermissionDenied) as exc:  # invalid, expired, revoked, agency suspended
            challenge = {"WWW-Authenticate": 'Bearer realm="lienthong", error="invalid_token"'}
            raise OAuthError(
                "invalid_token", exc.message, 401, reason=exc.reason, headers=challenge
            ) from None
        missing = self.introspect_scopes - principal.scopes
        if missing:
            scope = " ".join(sorted(self.introspect_scopes))
            raise OAuthError(
                "insufficient_scope",
                "the token lacks a scope this endpoint requires",
                403,
                reason="SCOPE_MISSING",
                headers={
                    "WWW-Authenticate": f'Bearer realm="lienthong", error="insufficient_scope", scope="{scope}"'
                },
            )
        form = await read_form(request)
        found = await tokens.introspect(
            self.ctx.uow(), self.ctx, text(form, "token"), HINTS.get(text(form, "token_type_hint"), "")
        )
        if not found.active:
            return _json({"active": False})
        body: dict[str, Any] = {
            "active": True,
            "scope": " ".join(sorted(found.scopes)),
            "sub": found.subject,
            "iat": int(found.issued_at),
            "exp": int(found.expires_at),
            "iss": self.ctx.settings.token_issuer,
        }
        if found.kind == "access":
            body.update(
                token_type="Bearer",
                aud=self.ctx.settings.token_audience,
                jti=found.token_id,
                client_id=found.client_id,
                agency=found.agency_id,
                agency_id=found.agency_id,
            )
        return _json(body)

    async def revoke(self, request: web.Request, caller: Caller) -> web.Response:
        """Holding the token is the proof, as for the gRPC method; unknown tokens answer 200 all the same."""
        form = await read_form(request)
        await tokens.revoke(
            self.ctx.uow(),
            self.ctx,
            caller,
            text(form, "token"),
            HINTS.get(text(form, "token_type_hint"), ""),
        )
        return web.Response(status=200, headers=NO_STORE)
