"""Reading the security audit trail: one's own agency, or every agency with ``platform.admin``."""

from __future__ import annotations

from datetime import datetime

from lienthong_runtime.errors import PermissionDenied

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
    if PLATFORM_ADMIN not in caller.scopes and not caller.agency_id:
        # Not the operator and no agency of its own: there is no trail this caller may read.
        raise PermissionDenied("this method is for an agency's machine client", reason="AGENCY_REQUIRED")
    agency = None if PLATFORM_ADMIN in caller.scopes else caller.agency_id
    async with uow:
        return await uow.audit_trail.page(
            agency_id=agency, action=action, outcome=outcome, start=start, end=end, size=size, token=token
        )
