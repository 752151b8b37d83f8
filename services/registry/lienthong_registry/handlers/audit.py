"""The access log as seen by citizens (their own record), by agencies (their own reads) and by operators
(chain verification)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime.errors import NotFound, invalid
from lienthong_runtime.partitions import add_months, partition_month

from ..adapters import access_log_store
from ..domain.access_log import AccessLogEntry, ChainCheck, check_entries, link_holds
from ..domain.citizen import Citizen
from .context import Caller, Registry, check_personal_id, decode_token, encode_token, int_cursor, page_size


async def my_access_log(
    reg: Registry, personal_id: str, start_us: int, size: int, token: str
) -> tuple[list[tuple[AccessLogEntry, bool]], str]:
    """Who accessed the citizen's record, newest first, each with whether its chain link verifies; the personal
    ID itself is not repeated."""
    limit = page_size(size)
    before = decode_token(token, "mylog", int_cursor)
    subject = reg.index.personal_id(personal_id).hex()
    async with reg.reading() as session:
        entries = await access_log_store.page(
            session, subject=subject, start_us=start_us, before=before, limit=limit + 1
        )
        more, entries = len(entries) > limit, entries[:limit]
        # The predecessors belong to other citizens: only their hashes are read, never their content.
        hashes = await access_log_store.hashes_of(
            session, {e.sequence - 1 for e in entries if e.sequence > 1}
        )
    checked = [(e, link_holds(e, hashes.get(e.sequence - 1))) for e in entries]
    return checked, encode_token("mylog", entries[-1].sequence) if more else ""


async def my_record(reg: Registry, personal_id: str) -> Citizen:
    """The citizen's own complete record; NOT_FOUND when the registry holds none for them."""
    citizen = await reg.citizens.find(reg.reading, personal_id)
    if citizen is None:
        raise NotFound("the registry holds no record for this personal ID", reason="CITIZEN_NOT_FOUND")
    return citizen


async def agency_access_log(
    reg: Registry, caller: Caller, personal_id: str, start_us: int, end_us: int, size: int, token: str
) -> tuple[list[tuple[AccessLogEntry, str]], str]:
    """The caller's agency's own entries, newest first, each with the personal ID it concerned."""
    if personal_id:
        check_personal_id(personal_id)
    if start_us and end_us and end_us <= start_us:
        raise invalid("end_time", "must be after start_time")
    limit = page_size(size)
    before = decode_token(token, "agencylog", int_cursor)
    subject = reg.index.personal_id(personal_id).hex() if personal_id else ""
    async with reg.reading() as session:
        entries = await access_log_store.page(
            session,
            subject=subject,
            agency_id=caller.agency_id,
            start_us=start_us,
            end_us=end_us,
            before=before,
            limit=limit + 1,
        )
    more, entries = len(entries) > limit, entries[:limit]
    out = [(e, reg.unseal_personal_id(e)) for e in entries]
    return out, encode_token("agencylog", entries[-1].sequence) if more else ""


async def verify_chain(sessions: async_sessionmaker[AsyncSession], from_sequence: int = 0) -> ChainCheck:
    """Recompute the chain from ``from_sequence`` (1 when 0) and report the first broken link, and count the
    record versions that have no WRITE entry (a record committed without its entry leaves no broken link).

    Months detached from the log (``lienthong partitions registry detach``) are checked by their anchors: each
    must start where the one before it ended, and the entries still in the log are recomputed from the last
    archived hash. An archived month's own entries are checked from its archive file, not here."""
    if from_sequence < 0:
        raise invalid("from_sequence", "must not be negative")
    async with sessions() as session:
        check = ChainCheck()
        months = await access_log_store.archived_months(session)
        for month in months:
            if (
                month.first_sequence != check.last_sequence + 1
                or month.first_previous_hash != check.last_hash
            ):
                check.first_broken = month.first_sequence
                check.detail = f"archived month {month.partition} does not join the chain before it"
                return check
            check.last_sequence, check.last_hash = month.last_sequence, month.last_hash
        archived, since_us = check.last_sequence, 0
        cut = partition_month("access_log", months[-1].partition) if months else None
        if cut is not None:  # the first month still attached begins here
            since_us = int(datetime(*add_months(cut, 1), 1, tzinfo=UTC).timestamp()) * 1_000_000
        start = max(from_sequence, archived + 1, 1)
        if start > archived + 1:
            trusted = await access_log_store.previous_hash(session, start - 1)
            if trusted is None:
                raise invalid("from_sequence", "no entry precedes this sequence")
            check = replace(check, last_sequence=start - 1, last_hash=trusted)
        async for chunk in access_log_store.scan(session, start):
            check_entries(check, chunk)
            if check.first_broken:
                break
        check.missing_writes = await access_log_store.versions_without_write_entry(session, since_us)
    if check.missing_writes and not check.first_broken:
        check.detail = f"{check.missing_writes} record version(s) have no WRITE entry in the log"
    return check
