"""Reading the security audit trail: one's own agency, or every agency with ``platform.admin``."""

from __future__ import annotations

from datetime import datetime

from ..domain.audit import AuditEvent, Caller, Outcome
from .context import Context
from .ports import IdentityUnitOfWork

PLATFORM_ADMIN = "platform.admin"


async def list_audit_events(
    uow: IdentityUnitOfWork,
    ctx: Context,
    caller: Caller,
    *,
    action: str,
    outcome: Outcome | None,
    start: datetime | None,
    end: datetime | None,
    size: int,
    token: str,
) -> tuple[list[AuditEvent], str]:
    agency = None if PLATFORM_ADMIN in caller.scopes else caller.agency_id
    async with uow:
        return await uow.audit_trail.page(
            agency_id=agency, action=action, outcome=outcome, start=start, end=end, size=size, token=token
        )
