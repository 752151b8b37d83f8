"""The agency directory: registration by the platform operator, lookup, search and each agency's policy."""

from __future__ import annotations

import asyncio

from email_validator import EmailNotValidError, validate_email

from lienthong_runtime.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, invalid
from lienthong_runtime.paging import PAGE_TOKEN_INVALID, decode_cursor, encode_cursor

from ..domain.codes import normalise_code
from ..domain.directory import DirectoryAgency, KnownAgency
from ..domain.documents import DuplicateKey
from ..domain.signatures import ReceivePolicy
from .context import Caller, Context, member
from .ports import DocumentsUnitOfWork

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


async def known_agency(uow: DocumentsUnitOfWork, ctx: Context, agency_id: str) -> KnownAgency:
    """identity's agency ``agency_id`` as its events told documents, waiting up to ``agency_event_wait`` for an
    AgencyCreated still on its way (an agency registered right after identity created it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ctx.settings.agency_event_wait
    while True:
        signal = ctx.agency_events.current()
        async with uow:
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
    uow: DocumentsUnitOfWork, ctx: Context, agency_id: str, code: str, name: str, province: str, email: str
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
    known = await known_agency(uow, ctx, agency_id)
    name = name or " ".join(known.display_name.split())[:200]
    if not name:
        raise invalid("display_name", "is required (identity has not told this agency's name)")
    if not province and len(known.province_code) == PROVINCE_CODE_LENGTH and known.province_code.isdigit():
        province = known.province_code
    agency = DirectoryAgency(
        code, agency_id, name, province, ReceivePolicy(), email, ctx.now(), known.suspended
    )
    try:
        async with uow:
            if await uow.directory.by_code(code) or await uow.directory.by_agency(agency.agency_id):
                raise AlreadyExists(
                    "the code or the agency is already registered", reason="AGENCY_ALREADY_REGISTERED"
                )
            await uow.directory.add(agency)
    except DuplicateKey:  # a concurrent registration of the same code or agency won
        raise AlreadyExists(
            "the code or the agency is already registered", reason="AGENCY_ALREADY_REGISTERED"
        ) from None
    return agency


async def get(uow: DocumentsUnitOfWork, ctx: Context, code: str) -> DirectoryAgency:
    code = normalise_code(code)
    async with uow:
        agency = await uow.directory.by_code(code)
    if agency is None:
        raise NotFound("no agency with this code", reason="AGENCY_NOT_FOUND")
    return agency


async def search(
    uow: DocumentsUnitOfWork, ctx: Context, query: str, code_prefix: str, province: str, size: int, token: str
) -> tuple[list[DirectoryAgency], str]:
    if len(query) > 200 or len(code_prefix) > 35 or len(province) > 4:
        raise invalid("query", "is too long")
    after = _after(token)
    async with uow:
        rows = await uow.directory.search(query, code_prefix.strip().upper(), province, size, after)
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode_cursor("SearchDirectoryAgencies", [rows[-1].code]) if more else ""


async def set_policy(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, policy: ReceivePolicy, email: str
) -> DirectoryAgency:
    email = _email(email)
    async with uow:
        me = await member(uow, caller)
        await uow.directory.set_policy(me.agency_id, policy, email)
        updated = await uow.directory.by_agency(me.agency_id)
    assert updated is not None
    return updated


def _after(token: str) -> str:
    """The code after which a search page starts ("" for the first page)."""
    cursor = decode_cursor("SearchDirectoryAgencies", token, 1)
    if cursor is None:
        return ""
    try:
        return normalise_code(cursor[0]) if isinstance(cursor[0], str) else normalise_code("")
    except InvalidArgument:
        raise invalid("page_token", "is not a token this method issued", reason=PAGE_TOKEN_INVALID) from None
