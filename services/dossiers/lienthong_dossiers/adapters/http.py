"""The HTTP side server's route: the on-time report as a CSV download (``GET /v1/onTimeReport.csv``).

Same rules as GetOnTimeReport: a bearer access token of an agency's client with ``dossiers.reports.read`` (an
agency gets its own rows, the operator every agency's); ``start`` and ``end`` are dates ``YYYY-MM-DD``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from aiohttp import web

from lienthong_runtime.auth import TokenVerifier
from lienthong_runtime.errors import DomainError
from lienthong_runtime.server import Route

from ..handlers import reports
from ..handlers.context import Caller, Deps
from ..handlers.ports import DossiersUnitOfWork

SCOPE = "dossiers.reports.read"
STATUS = {
    "INVALID_ARGUMENT": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "FAILED_PRECONDITION": 400,
    "UNAVAILABLE": 503,
}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def routes(
    verifier: Callable[[], TokenVerifier | None], uow: Callable[[], DossiersUnitOfWork], deps: Deps
) -> list[Route]:
    async def on_time_csv(request: web.Request) -> web.StreamResponse:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        check = verifier()
        if scheme.lower() != "bearer" or not token or check is None:
            return web.json_response({"reason": "TOKEN_MISSING"}, status=401)
        try:
            principal = await check.verify(token.strip())
            if principal.kind != "client" or not principal.agency_id or SCOPE not in principal.scopes:
                return web.json_response({"reason": "SCOPE_MISSING"}, status=403)
            caller = Caller.agency(
                principal.agency_id,
                principal.client_id or principal.subject,
                "platform.admin" in principal.scopes,
            )
            query = request.query
            _, csv = await reports.on_time(
                uow(),
                deps,
                caller,
                _day(query.get("start", "")),
                _day(query.get("end", "")),
                query.get("procedure_code", ""),
                query.get("agency_id", ""),
                True,
            )
        except DomainError as error:
            return web.json_response(
                {"reason": error.reason, "message": str(error)}, status=STATUS.get(error.code, 400)
            )
        return web.Response(
            text=csv,
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": 'attachment; filename="on-time-report.csv"'},
        )

    return [("GET", "/v1/onTimeReport.csv", on_time_csv)]
