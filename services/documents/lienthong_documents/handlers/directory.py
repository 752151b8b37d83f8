"""The agency directory: registration by the platform operator, lookup, search and each agency's policy."""

from __future__ import annotations

import asyncio
import base64

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from lienthong_runtime.errors import AlreadyExists, FailedPrecondition, NotFound, invalid

from ..domain.codes import normalise_code
from ..domain.directory import DirectoryAgency, KnownAgency
from ..domain.signatures import ReceivePolicy
from .context import Caller, Context, member

PROVINCE_CODE_LENGTH = 2
#: While waiting for an agency event, look at the database this often (another replica may apply it).
AGENCY_POLL_S = 0.25


def _email(value: str) -> str:
    if not value.strip():
        return ""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise invalid("notification_email", "is not an e-mail address") from None


async def known_agency(ctx: Context, agency_id: str) -> KnownAgency:
    """identity's agency ``agency_id`` as its events told documents, waiting up to ``agency_event_wait`` for an
    AgencyCreated still on its way (an agency registered right after identity created it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ctx.settings.agency_event_wait
    while True:
        signal = ctx.agency_events.current()
        async with ctx.uow() as uow:
            known = await uow.identity_agencies.get(agency_id)
        if known is not None and known.created:
            return known
        left = deadline - loop.time()
        if left <= 0:
            raise FailedPrecondition(
                "identity has no such agency (or its AgencyCreated event has not reached documents yet)",
                reason="AGENCY_UNKNOWN",
                metadata={"agency_id": agency_id},
            )
        try:
            await asyncio.wait_for(signal.wait(), min(left, AGENCY_POLL_S))
        except TimeoutError:
            pass


async def register(
    ctx: Context, agency_id: str, code: str, name: str, province: str, email: str
) -> DirectoryAgency:
    """Register identity's agency ``agency_id`` under ``code``; an empty name or province is identity's."""
    code = normalise_code(code)
    agency_id = agency_id.strip()
    if not agency_id or len(agency_id) > 64:
        raise invalid("agency_id", "is required (identity's agency id)")
    name = " ".join(name.split())
    if len(name) > 200:
        raise invalid("display_name", "is at most 200 characters")
    if province and (len(province) != PROVINCE_CODE_LENGTH or not province.isdigit()):
        raise invalid("province_code", "is two digits (2025 province list) or empty")
    email = _email(email)
    known = await known_agency(ctx, agency_id)
    name = name or " ".join(known.display_name.split())[:200]
    if not name:
        raise invalid("display_name", "is required (identity has not told this agency's name)")
    if not province and len(known.province_code) == PROVINCE_CODE_LENGTH and known.province_code.isdigit():
        province = known.province_code
    agency = DirectoryAgency(
        code, agency_id, name, province, ReceivePolicy(), email, ctx.now(), known.suspended
    )
    try:
        async with ctx.uow() as uow:
            if await uow.directory.by_code(code) or await uow.directory.by_agency(agency.agency_id):
                raise AlreadyExists(
                    "the code or the agency is already registered", reason="AGENCY_ALREADY_REGISTERED"
                )
            await uow.directory.add(agency)
    except IntegrityError:  # a concurrent registration of the same code or agency won
        raise AlreadyExists(
            "the code or the agency is already registered", reason="AGENCY_ALREADY_REGISTERED"
        ) from None
    return agency


async def get(ctx: Context, code: str) -> DirectoryAgency:
    code = normalise_code(code)
    async with ctx.uow() as uow:
        agency = await uow.directory.by_code(code)
    if agency is None:
        raise NotFound("no agency with this code", reason="AGENCY_NOT_FOUND")
    return agency


async def search(
    ctx: Context, query: str, code_prefix: str, province: str, size: int, token: str
) -> tuple[list[DirectoryAgency], str]:
    if len(query) > 200 or len(code_prefix) > 35 or len(province) > 4:
        raise invalid("query", "is too long")
    after = _decode(token)
    async with ctx.uow() as uow:
        rows = await uow.directory.search(query, code_prefix.strip().upper(), province, size, after)
    more = len(rows) > size
    rows = rows[:size]
    return rows, _encode(rows[-1].code) if more else ""


async def set_policy(ctx: Context, caller: Caller, policy: ReceivePolicy, email: str) -> DirectoryAgency:
    email = _email(email)
    async with ctx.uow() as uow:
        me = await member(uow, caller)
        await uow.directory.set_policy(me.agency_id, policy, email)
        updated = await uow.directory.by_agency(me.agency_id)
    assert updated is not None
    return updated


def _encode(code: str) -> str:
    return base64.urlsafe_b64encode(code.encode()).decode().rstrip("=")


def _decode(token: str) -> str:
    if not token:
        return ""
    try:
        return normalise_code(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
    except Exception:
        raise invalid(
            "page_token", "is not a token this service issued", reason="PAGE_TOKEN_INVALID"
        ) from None
