"""The procedure catalogue: create, publish a new version, read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from lienthong_runtime.errors import AlreadyExists, NotFound, PermissionDenied
from lienthong_runtime.paging import decode_cursor, encode_cursor

from ..domain.procedures import Procedure, Spec, check_code, check_spec
from .context import Caller
from .ports import DossiersUnitOfWork

LIST_KIND = "dossiers.ListProcedures"


def _missing() -> NotFound:
    return NotFound("no such procedure", reason="PROCEDURE_NOT_FOUND")


async def create(uow: DossiersUnitOfWork, caller: Caller, code: str, spec: Spec, now: datetime) -> Procedure:
    code = check_code(code)
    spec = check_spec(spec)
    async with uow:
        if await uow.procedures.get(code) is not None:
            raise AlreadyExists("a procedure with this code exists", reason="PROCEDURE_CODE_TAKEN")
        procedure = Procedure(code, 1, caller.agency_id, spec, now)
        await uow.procedures.add(procedure)
    return procedure


async def publish(uow: DossiersUnitOfWork, caller: Caller, code: str, spec: Spec, now: datetime) -> Procedure:
    code = check_code(code)
    spec = check_spec(spec)
    async with uow:
        current = await uow.procedures.get(code)
        if current is None:
            raise _missing()
        if current.agency_id != caller.agency_id and not caller.operator:
            raise PermissionDenied(
                "only the owning agency publishes its procedures", reason="NOT_PROCEDURE_OWNER"
            )
        procedure = Procedure(code, current.version + 1, current.agency_id, spec, now)
        await uow.procedures.add(procedure)
    return procedure


async def get(uow: DossiersUnitOfWork, code: str, version: int = 0) -> Procedure:
    code = check_code(code)
    async with uow:
        procedure = await uow.procedures.get(code, max(version, 0))
    if procedure is None:
        raise _missing()
    return procedure


async def listing(
    uow: DossiersUnitOfWork, agency_id: str, size: int, token: str
) -> tuple[Sequence[Procedure], str]:
    cursor = decode_cursor(LIST_KIND, token, 1)
    after = str(cursor[0]) if cursor else ""
    async with uow:
        rows = await uow.procedures.list(agency_id[:64], after, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode_cursor(LIST_KIND, [rows[-1].code]) if more else ""
