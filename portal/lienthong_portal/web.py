"""The portal's pages (aiohttp handlers, jinja2 templates): sign-in with password then TOTP, the citizen's
record, the access log with filters and CSV, and sign-out. Every state change is a POST carrying the session's
CSRF token; every page that shows personal data is ``no-store``."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import grpc
import jinja2
from aiohttp import web

from . import access_view, metrics, notification_view, record_view
from .front_door import FrontDoor, LoginRefused, SessionEnded, Tokens, unauthenticated
from .i18n import language, translator
from .session import PENDING_SECONDS, Session, SessionCodec

log = logging.getLogger("lienthong.portal")

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
LOGIN_ERRORS = {
    "TOTP_INVALID": "err_credentials",
    "INVALID_CREDENTIALS": "err_credentials",
    "LOGIN_THROTTLED": "err_throttled",
    "INVALID_ARGUMENT": "err_input",
    "PERSONAL_ID_INVALID": "err_input",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Portal:
    def __init__(self, front_door: FrontDoor, codec: SessionCodec, *, max_log_entries: int = 2000) -> None:
        self.front = front_door
        self.codec = codec
        self.max_log_entries = max_log_entries
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("lienthong_portal", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.css = resources.files("lienthong_portal").joinpath("static/portal.css").read_bytes()

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "/", self.home),
            ("GET", "/login", self.login_page),
            ("POST", "/login", self.login),
            ("GET", "/login/totp", self.totp_page),
            ("POST", "/login/totp", self.totp),
            ("POST", "/logout", self.logout),
            ("GET", "/record", self.record),
            ("GET", "/access", self.access),
            ("GET", "/access.csv", self.access_csv),
            ("GET", "/notifications", self.notifications),
            ("GET", "/static/portal.css", self.stylesheet),
        ]

    # ---- plumbing ----

    def _session(self, request: web.Request) -> Session:
        session = self.codec.open(request.cookies.get(self.codec.cookie_name)) or Session()
        if "lang" in request.query:
            session.lang = language(request.query["lang"])
        return session

    def _finish(self, response: web.StreamResponse, session: Session) -> web.StreamResponse:
        response.headers.update(HEADERS)
        response.set_cookie(self.codec.cookie_name, self.codec.seal(session), **self.codec.cookie_options())
        return response

    def _render(
        self, session: Session, template: str, status: int = 200, **values: Any
    ) -> web.StreamResponse:
        values.setdefault("active", "")
        page = self.templates.get_template(template).render(
            t=translator(session.lang),
            lang=session.lang,
            csrf=session.csrf,
            signed_in=session.signed_in,
            **values,
        )
        return self._finish(web.Response(text=page, status=status, content_type="text/html"), session)

    def _redirect(self, session: Session, location: str) -> web.StreamResponse:
        return self._finish(web.Response(status=303, headers={"Location": location}), session)

    async def _form(self, request: web.Request, session: Session) -> dict[str, str] | None:
        """The posted form, or None when its CSRF token is not this session's."""
        form = await request.post()
        if not session.csrf_ok(str(form.get("csrf", ""))):
            metrics.REFUSALS.labels(reason="csrf").inc()
            return None
        return {k: str(v) for k, v in form.items()}

    async def _as_citizen(
        self, session: Session, call: Callable[[str], Awaitable[Any]]
    ) -> tuple[Any, Session]:
        """Run ``call(access_token)``; once on UNAUTHENTICATED, refresh the tokens and try again."""
        try:
            return await call(session.access_token), session
        except grpc.aio.AioRpcError as error:
            if not unauthenticated(error):
                raise
        tokens = await self.front.refresh(session.refresh_token)
        session.access_token, session.refresh_token = tokens.access_token, tokens.refresh_token
        return await call(session.access_token), session

    def _signed_out(self, session: Session) -> web.StreamResponse:
        metrics.REFUSALS.labels(reason="no_session").inc()
        return self._redirect(Session(lang=session.lang), "/login")

    def _error(self, session: Session, key: str, status: int) -> web.StreamResponse:
        return self._render(session, "error.html", status=status, message=key)

    async def _citizen_page(
        self, request: web.Request, page: Callable[[Session], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        session = self._session(request)
        if not session.signed_in:
            return self._signed_out(session)
        try:
            return await page(session)
        except SessionEnded:
            return self._signed_out(session)
        except grpc.aio.AioRpcError as error:
            if unauthenticated(error):
                return self._signed_out(session)
            log.warning("front door call failed", extra={"code": error.code().name})
            return self._error(session, "err_unavailable", 503)

    # ---- pages ----

    async def home(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        return self._redirect(session, "/record" if session.signed_in else "/login")

    async def stylesheet(self, request: web.Request) -> web.StreamResponse:
        response = web.Response(body=self.css, content_type="text/css")
        response.headers.update({**HEADERS, "Cache-Control": "public, max-age=3600"})
        return response

    async def login_page(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        if session.signed_in:
            return self._redirect(session, "/record")
        return self._render(session, "login.html", error="")

    async def login(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        form = await self._form(request, session)
        if form is None:
            return self._error(session, "err_csrf", 403)
        pid, password = form.get("personal_id", "").strip(), form.get("password", "")
        if len(pid) != 12 or not pid.isdigit() or not password:
            return self._render(session, "login.html", status=400, error="err_input")
        return await self._sign_in(session, pid, password, "", "login.html")

    async def totp_page(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        if session.pending_login(time.time()) is None:
            return self._render(Session(lang=session.lang), "login.html", status=401, error="err_pending")
        return self._render(session, "totp.html", error="")

    async def totp(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        form = await self._form(request, session)
        if form is None:
            return self._error(session, "err_csrf", 403)
        pending = session.pending_login(time.time())
        if pending is None:
            return self._render(Session(lang=session.lang), "login.html", status=401, error="err_pending")
        return await self._sign_in(session, *pending, form.get("totp_code", "").strip(), "totp.html")

    async def _sign_in(
        self, session: Session, pid: str, password: str, code: str, template: str
    ) -> web.StreamResponse:
        try:
            tokens = await self.front.login(pid, password, code)
        except LoginRefused as refused:
            if refused.reason == "TOTP_REQUIRED":
                # The password waits sealed in the cookie (never on the server, never in the page) until the code.
                session.pending = {"pid": pid, "password": password, "until": time.time() + PENDING_SECONDS}
                return self._redirect(session, "/login/totp")
            metrics.LOGINS.labels(outcome="refused").inc()
            if refused.code is grpc.StatusCode.UNAVAILABLE:
                return self._error(session, "err_unavailable", 503)
            status = 429 if refused.code is grpc.StatusCode.RESOURCE_EXHAUSTED else 401
            return self._render(
                session, template, status=status, error=LOGIN_ERRORS.get(refused.reason, "err_credentials")
            )
        metrics.LOGINS.labels(outcome="success").inc()
        # A fresh session (new CSRF token) on sign-in: nothing chosen before sign-in carries over but the language.
        fresh = Session(
            lang=session.lang, access_token=tokens.access_token, refresh_token=tokens.refresh_token
        )
        return self._redirect(fresh, "/record")

    async def logout(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        form = await self._form(request, session)
        if form is None:
            return self._error(session, "err_csrf", 403)
        if session.signed_in:
            await self.front.logout(Tokens(session.access_token, session.refresh_token))
        return self._redirect(Session(lang=session.lang), "/login")

    async def record(self, request: web.Request) -> web.StreamResponse:
        async def page(session: Session) -> web.StreamResponse:
            citizen, session = await self._as_citizen(session, self.front.my_record)
            t = translator(session.lang)
            found = record_view.lines(citizen, t) if citizen is not None else []
            return self._render(session, "record.html", lines=found, active="record")

        return await self._citizen_page(request, page)

    async def _log(self, session: Session, filters: access_view.Filters) -> tuple[Any, ...]:
        async def fetch(token: str) -> tuple[Any, Any, dict[str, str]]:
            entries, more = await self.front.my_access_log(token, filters.start_time(), self.max_log_entries)
            names = await self.front.agency_names(token, [e.agency_id for e in entries])
            return entries, more, names

        (entries, more, names), session = await self._as_citizen(session, fetch)
        kept = [e for e in entries if filters.keeps(e)]
        return (
            session,
            access_view.rows(kept, names, translator(session.lang)),
            access_view.agencies(entries, names),
            more,
        )

    async def access(self, request: web.Request) -> web.StreamResponse:
        async def page(session: Session) -> web.StreamResponse:
            try:
                filters = access_view.Filters.parse(request.query)
            except access_view.BadPeriod:
                return self._render(
                    session,
                    "access.html",
                    status=400,
                    rows=[],
                    agencies=[],
                    filters=access_view.Filters(),
                    truncated=False,
                    error="bad_period",
                    csv_query="",
                    active="access",
                )
            session, rows, agencies, more = await self._log(session, filters)
            query = "&".join(f"{k}={v}" for k, v in filters.query().items())
            return self._render(
                session,
                "access.html",
                rows=rows,
                agencies=agencies,
                filters=filters,
                truncated=more,
                error="",
                csv_query=query,
                active="access",
            )

        return await self._citizen_page(request, page)

    async def access_csv(self, request: web.Request) -> web.StreamResponse:
        async def page(session: Session) -> web.StreamResponse:
            try:
                filters = access_view.Filters.parse(request.query)
            except access_view.BadPeriod:
                return self._error(session, "bad_period", 400)
            session, rows, _, _ = await self._log(session, filters)
            body = "\ufeff" + access_view.to_csv(rows, translator(session.lang))  # BOM: Excel reads UTF-8
            response = web.Response(text=body, content_type="text/csv", charset="utf-8")
            stamp = dt.date.today().isoformat()
            response.headers["Content-Disposition"] = f'attachment; filename="nhat-ky-truy-cap-{stamp}.csv"'
            return self._finish(response, session)

        return await self._citizen_page(request, page)

    async def notifications(self, request: web.Request) -> web.StreamResponse:
        async def page(session: Session) -> web.StreamResponse:
            async def fetch(token: str) -> tuple[Any, dict[str, str]]:
                found = await self.front.my_notifications(token)
                return found, await self.front.agency_names(token, [n.agency_id for n in found])

            (found, names), session = await self._as_citizen(session, fetch)
            rows = notification_view.rows(found, names, translator(session.lang))
            return self._render(session, "notifications.html", rows=rows, active="notifications")

        return await self._citizen_page(request, page)
