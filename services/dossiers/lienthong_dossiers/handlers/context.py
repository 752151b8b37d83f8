"""Who is calling, the collaborators that are not storage, and the checks every dossier RPC makes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from lienthong.dossiers.v1 import events_pb2
from lienthong_runtime.errors import invalid
from lienthong_runtime.timestamps import timestamp as _ts

from ..domain.calendar import WorkingCalendar
from ..domain.dossiers import Dossier, Part, not_found
from .ports import DossiersUnitOfWork, RegistryReader

log = logging.getLogger("lienthong.dossiers")


@dataclass(frozen=True)
class Caller:
    """A citizen (``pid`` from their token), an agency's client that sees the agency's whole inbox (kind
    ``agency``: its token carries ``dossiers.dossiers.process``), or an officer's client (kind ``officer``: only
    ``dossiers.parts.officer``), which sees and acts only on the parts assigned to it (officer id = client id)."""

    kind: str
    agency_id: str = ""
    actor: str = ""
    pid: str = ""
    operator: bool = False

    @classmethod
    def citizen(cls, pid: str) -> Caller:
        return cls("citizen", actor="citizen", pid=pid)

    @classmethod
    def agency(
        cls, agency_id: str, client_id: str, operator: bool = False, whole_agency: bool = True
    ) -> Caller:
        kind = "agency" if whole_agency else "officer"
        return cls(kind, agency_id=agency_id, actor=client_id or agency_id, operator=operator)

    @property
    def officer(self) -> bool:
        """Restricted to the parts assigned to this client."""
        return self.kind == "officer"

    def sees(self, part: Part) -> bool:
        """Whether this agency-side caller may see ``part``: its agency's, and assigned to it for an officer."""
        return part.agency_id == self.agency_id and (not self.officer or part.officer_id == self.actor)


@dataclass(frozen=True)
class Deps:
    """Built by the composition root: the statutory holidays, the clock, the id/code generators and the registry."""

    holidays: Callable[[date], bool]
    clock: Callable[[], datetime]
    new_id: Callable[[], str]
    new_code: Callable[[int], str]
    #: None where the deployment gave dossiers no registry access (PrefillForm is then unavailable).
    registry: RegistryReader | None = None


async def working_calendar(uow: DossiersUnitOfWork, deps: Deps) -> WorkingCalendar:
    make_up, days_off = await uow.calendar.days()
    return WorkingCalendar(deps.holidays, make_up, days_off)


def notice(uow: DossiersUnitOfWork, dossier: Dossier, part: Part, now: datetime, apology: str = "") -> None:
    """Stage the DossierStatusChanged that tells the citizen (through notify) where their dossier stands."""
    uow.publish(
        events_pb2.DossierStatusChanged(
            dossier_id=dossier.id,
            code=dossier.code,
            part_id=part.id,
            procedure_code=dossier.procedure_code,
            procedure_name=dossier.procedure_name,
            state=f"PART_STATE_{part.state.name}",
            reason=part.reason if not apology else "",
            citizen_personal_id=dossier.citizen_pid,
            change_time=_ts(now),
            apology_text=apology,
            dossier_state=f"DOSSIER_STATE_{dossier.state.name}",
        ),
        subject=dossier.id,
        agency_id=part.agency_id,
    )


async def visible(
    uow: DossiersUnitOfWork,
    caller: Caller,
    dossier_id: str,
    action: str,
    now: datetime,
    *,
    for_update: bool = False,
) -> Dossier:
    """The dossier as ``caller`` may see it (a citizen: their own; an agency: its own parts; an officer: its
    agency's part when it is assigned to them), with the read logged; NOT_FOUND for everyone else, the same
    answer as for an id that never existed."""
    if not dossier_id:
        raise invalid("dossier_id", "is required")
    dossier = await uow.dossiers.get(dossier_id[:64], for_update=for_update)
    if dossier is None:
        raise not_found()
    if caller.kind == "citizen":
        if dossier.citizen_pid != caller.pid:
            log.warning("dossier access refused", extra={"action": action, "kind": "citizen"})
            raise not_found()
        seen = dossier
    else:
        if not any(caller.sees(p) for p in dossier.parts):
            log.warning(
                "dossier access refused",
                extra={"action": action, "agency": caller.agency_id, "kind": caller.kind},
            )
            raise not_found()
        seen = dossier.seen_by_agency(caller.agency_id)
    await uow.dossiers.log_access(dossier.id, caller.kind, caller.actor, caller.agency_id, action, now)
    return seen
