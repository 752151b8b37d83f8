"""The access log as seen by citizens (their own record), by agencies (their own reads) and by operators
(chain verification)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from lienthong_runtime.errors import NotFound, invalid
from lienthong_runtime.paging import encode_cursor, page_size
from lienthong_runtime.partitions import add_months, partition_month

from ..domain.access_log import AccessLogEntry, ChainCheck, check_entries, link_holds
from ..domain.citizen import Citizen
from .context import Caller, Services, check_personal_id, cursor, whole
from .ports import LogQuery, RegistryUnitOfWork


async def my_access_log(
    services: Services, personal_id: str, start_us: int, size: int, token: str
) -> tuple[list[tuple[AccessLogEntry, bool]], str]:
    """Who accessed the citizen's record, newest first, each with whether its chain link verifies; the personal
    ID itself is not repeated."""
    limit = page_size(size)
    before = cursor("mylog", token, 1, whole)
    subject = services.index.personal_id(personal_id).hex()
    entries = await services.access_log.page(
        LogQuery(subject=subject, start_us=start_us, before=before, limit=limit + 1)
    )
    more, entries = len(entries) > limit, entries[:limit]
    # The predecessors belong to other citizens: only their hashes are read, never their content.
    hashes = await services.access_log.hashes_of({e.sequence - 1 for e in entries if e.sequence > 1})
    checked = [(e, link_holds(e, hashes.get(e.sequence - 1))) for e in entries]
    return checked, encode_cursor("mylog", [entries[-1].sequence]) if more else ""


async def my_record(services: Services, personal_id: str) -> Citizen:
    """The citizen's own complete record; NOT_FOUND when the registry holds none for them."""
    citizen = await services.reads.own_record(personal_id)
    if citizen is None:
        raise NotFound("the registry holds no record for this personal ID", reason="CITIZEN_NOT_FOUND")
    return citizen


async def agency_access_log(
    services: Services, caller: Caller, personal_id: str, start_us: int, end_us: int, size: int, token: str
) -> tuple[list[tuple[AccessLogEntry, str]], str]:
    """The caller's agency's own entries, newest first, each with the personal ID it concerned."""
    if personal_id:
        check_personal_id(personal_id)
    if start_us and end_us and end_us <= start_us:
        raise invalid("end_time", "must be after start_time")
    limit = page_size(size)
    before = cursor("agencylog", token, 1, whole)
    subject = services.index.personal_id(personal_id).hex() if personal_id else ""
    entries = await services.access_log.page(
        LogQuery(subject, caller.agency_id, start_us, end_us, before, limit + 1)
    )
    more, entries = len(entries) > limit, entries[:limit]
    out = [(e, services.unseal_personal_id(e)) for e in entries]
    return out, encode_cursor("agencylog", [entries[-1].sequence]) if more else ""


async def verify_chain(uow: RegistryUnitOfWork, from_sequence: int = 0) -> ChainCheck:
    """Recompute the chain from ``from_sequence`` (1 when 0) and report the first broken link, and count the
    record versions that have no WRITE entry (a record committed without its entry leaves no broken link).

    Months detached from the log (``lienthong partitions registry detach``) are checked by their anchors: each
    must start where the one before it ended, and the entries still in the log are recomputed from the last
    archived hash. An archived month's own entries are checked from its archive file, not here."""
    if from_sequence < 0:
        raise invalid("from_sequence", "must not be negative")
    async with uow:
        check = ChainCheck()
        months = await uow.access_log.archived_months()
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
            year, month = add_months(cut, 1)
            since_us = int(datetime(year, month, 1, tzinfo=UTC).timestamp()) * 1_000_000
        start = max(from_sequence, archived + 1, 1)
        if start > archived + 1:
            trusted = await uow.access_log.previous_hash(start - 1)
            if trusted is None:
                raise invalid("from_sequence", "no entry precedes this sequence")
            check = replace(check, last_sequence=start - 1, last_hash=trusted)
        async for chunk in uow.access_log.scan(start):
            check_entries(check, chunk)
            if check.first_broken:
                break
        check.missing_writes = await uow.access_log.versions_without_write_entry(since_us)
    if check.missing_writes and not check.first_broken:
        check.detail = f"{check.missing_writes} record version(s) have no WRITE entry in the log"
    return check
