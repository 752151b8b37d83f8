"""Whether a database error means "the database cannot serve right now, retry" (UNAVAILABLE), for every driver.

The answer comes from the SQLSTATE wherever the error carries one, not from the exception's type: drivers and
their SQLAlchemy wrappers disagree on types (SQLAlchemy's asyncpg dialect turns "the database system is starting
up", 57P03, into a plain ``DBAPIError``; psycopg makes it an ``OperationalError``; asyncpg a
``CannotConnectNowError``), but they all keep the SQLSTATE: asyncpg and psycopg 3 as ``sqlstate``, psycopg2 as
``pgcode``, SQLAlchemy's adapted errors as both, on the error itself or on the one it wraps.

Retryable SQLSTATEs: class 08 (connection exception), 57P01-57P04 (admin or crash shutdown, cannot connect
now, database dropped) and class 53 (insufficient resources: too many connections, disk full, out of memory).
Without a SQLSTATE, a refused or reset socket, a connection the driver reports closed, an invalidated pooled
connection and SQLAlchemy's ``OperationalError``/``InterfaceError`` (a locked SQLite file) are retryable too.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import exc as sa_exc

from .errors import DomainError, Unavailable

#: SQLSTATE classes (first two characters) that mean the database cannot serve now.
UNAVAILABLE_CLASSES = frozenset({"08", "53"})
#: Single SQLSTATEs of class 57 (operator intervention) that mean the same. 57014 (query cancelled, a
#: statement timeout) is deliberately not here: retrying the same statement would time out again.
UNAVAILABLE_CODES = frozenset({"57P01", "57P02", "57P03", "57P04"})


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (SQLAlchemy's ``orig``), its cause and context, each once."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen or len(seen) > 16:
            continue
        seen.add(id(current))
        yield current
        context = None if current.__suppress_context__ else current.__context__
        for inner in (getattr(current, "orig", None), current.__cause__, context):
            if isinstance(inner, BaseException):
                pending.append(inner)


def sqlstate(exc: BaseException) -> str | None:
    """The first SQLSTATE found on the error or on what it wraps (None when no driver gave one)."""
    for error in _chain(exc):
        for attribute in ("sqlstate", "pgcode"):
            code = getattr(error, attribute, None)
            if isinstance(code, str) and len(code) == 5:
                return code
    return None


def retryable_sqlstate(code: str) -> bool:
    return code[:2] in UNAVAILABLE_CLASSES or code in UNAVAILABLE_CODES


def _driver_connection_error(error: BaseException) -> bool:
    if isinstance(error, ConnectionError):  # refused, reset, aborted, broken pipe
        return True
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a runtime dependency
        return False
    # "connection is closed", "connection was closed in the middle of operation": the socket is gone.
    return isinstance(error, asyncpg.InterfaceError | asyncpg.PostgresConnectionError)


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (from any driver, wrapped by SQLAlchemy or not) says the database is down, restarting,
    full or unreachable: a condition a retry a little later may clear, so UNAVAILABLE, never INTERNAL.
    A domain error is the service's own answer and is never reclassified."""
    if isinstance(exc, DomainError):
        return False
    code = sqlstate(exc)
    if code is not None:
        return retryable_sqlstate(code)
    for error in _chain(exc):
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
            return True
        if _driver_connection_error(error):
            return True
    return False


def database_unavailable_error() -> Unavailable:
    """The status a call gets when :func:`database_unavailable` holds."""
    return Unavailable("the database is unreachable; retry shortly", reason="DATABASE_UNAVAILABLE")
