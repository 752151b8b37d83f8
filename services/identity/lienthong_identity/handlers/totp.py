"""TOTP (RFC 6238) enrolment of a citizen account: a pending secret, confirmed by a current code."""

from __future__ import annotations

import time

from lienthong_runtime.auth import Principal
from lienthong_runtime.errors import FailedPrecondition, invalid

from ..domain.audit import Caller
from ..domain.citizens import new_totp_secret, provisioning_uri, totp_step
from .citizens import account_id_of
from .context import Context
from .ports import IdentityUnitOfWork


async def enroll(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, principal: Principal
) -> tuple[str, str]:
    """A new pending secret and its ``otpauth://`` URI; refused if TOTP is already on."""
    account_id = account_id_of(principal)
    async with ctx.audited(uow, caller, "totp.enroll", account_id), uow:
        account = await uow.citizens.get(account_id, for_update=True)
        if account is None or account.totp_enabled:
            raise FailedPrecondition("TOTP is already enrolled", reason="TOTP_ALREADY_ENROLLED")
        secret = new_totp_secret()
        await uow.citizens.set_pending_totp(account_id, secret)
        await uow.audit(caller.event("totp.enroll", ctx.now(), target=account_id))
    return secret, provisioning_uri(secret, f"citizen-{account.personal_id[-4:]}")


async def confirm(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, principal: Principal, code: str
) -> None:
    """Turn TOTP on with a current code (that code's step counts as used)."""
    account_id = account_id_of(principal)
    if not code:
        raise invalid("totp_code", "is required")
    async with ctx.audited(uow, caller, "totp.confirm", account_id), uow:
        _, pending = await uow.citizens.totp_secrets(account_id)
        if not pending:
            raise FailedPrecondition("no TOTP enrolment is pending", reason="TOTP_NOT_ENROLLING")
        step = totp_step(pending, code, time.time())
        if step is None:
            raise invalid("totp_code", "is not the current code", reason="TOTP_INVALID")
        await uow.citizens.confirm_totp(account_id, step)
        await uow.audit(caller.event("totp.confirm", ctx.now(), target=account_id))
