"""The periodic sweep: an apology letter for every open part past its deadline (one per part)."""

from __future__ import annotations

from collections.abc import Callable

from ..domain.calendar import local_date
from ..domain.dossiers import apology_for
from .context import Deps, notice, working_calendar
from .ports import DossiersUnitOfWork

BATCH = 200


async def apologise_overdue(uow_factory: Callable[[], DossiersUnitOfWork], deps: Deps) -> int:
    """Issue the letters owed today; returns how many."""
    now = deps.clock()
    today = local_date(now)
    issued = 0
    uow = uow_factory()
    async with uow:
        ids = await uow.dossiers.overdue_without_apology(today, BATCH)
    for dossier_id in ids:
        uow = uow_factory()
        async with uow:
            dossier = await uow.dossiers.get(dossier_id, for_update=True)
            if dossier is None:
                continue
            calendar = await working_calendar(uow, deps)
            for part in dossier.parts:
                if part.completed_at is None and part.late_on(today) and not part.apologies:
                    apology = apology_for(dossier, part, calendar, now)
                    await uow.dossiers.add_apology(part, apology)
                    notice(uow, dossier, part, now, apology=apology.text)
                    issued += 1
    return issued


async def open_late(uow: DossiersUnitOfWork, deps: Deps) -> dict[str, int]:
    """Open parts past their deadline per agency (for the operators' dashboard)."""
    async with uow:
        return await uow.dossiers.open_late_by_agency(local_date(deps.clock()))
