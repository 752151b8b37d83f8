"""Prefill a form from the registry, with the citizen's consent and under a declared purpose."""

from __future__ import annotations

from lienthong_runtime.errors import FailedPrecondition, NotFound

from ..domain.prefill import check_request, fill, wanted
from ..domain.procedures import check_code
from .context import Caller, Deps
from .ports import DossiersUnitOfWork


async def prefill(
    uow: DossiersUnitOfWork, deps: Deps, caller: Caller, procedure_code: str, purpose: str, consent: bool
) -> tuple[dict[str, str], list[str]]:
    """(form values, registry fields disclosed). Without consent nothing is asked of the registry: nothing is
    disclosed and the registry's access log gets no entry."""
    purpose = check_request(purpose, consent)
    code = check_code(procedure_code)
    async with uow:
        procedure = await uow.procedures.get(code)
    if procedure is None:
        raise NotFound("no such procedure", reason="PROCEDURE_NOT_FOUND")
    if not wanted(procedure.spec):
        return {}, []
    if deps.registry is None:
        raise FailedPrecondition(
            "prefilling from the registry is not configured", reason="PREFILL_UNAVAILABLE"
        )
    disclosed = await deps.registry.read(caller.pid, purpose)
    form = fill(procedure.spec, disclosed)
    return form, sorted(disclosed)
