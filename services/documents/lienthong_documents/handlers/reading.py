"""Reading: one document, the inbox and sent lists, status histories, the access log and the inbox feed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from lienthong_runtime.errors import invalid
from lienthong_runtime.paging import (
    PAGE_TOKEN_INVALID,
    decode_cursor,
    decode_keyset,
    encode_cursor,
    encode_keyset,
)

from ..domain.documents import Document
from .context import Caller, Context, member, visible
from .ports import DocumentsUnitOfWork

FEED_BATCH = 100


async def get(uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, document_id: str) -> Document:
    async with uow:
        me = await member(uow, caller)
        return await visible(uow, me, document_id, "GetDocument", caller)


async def inbox(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, filters: dict[str, Any], size: int, token: str
) -> tuple[list[Document], str]:
    async with uow:
        me = await member(uow, caller)
        docs = await uow.documents.inbox(me.agency_id, filters, size, decode_keyset("ListInbox", token))
        page = [d.as_seen_by(me.agency_id) for d in docs[:size]]
        now = ctx.now()
        for d in page:
            await uow.documents.log_access(d.id, me.agency_id, me.code, caller.client_id, "ListInbox", now)
    return page, encode_keyset("ListInbox", page[-1].send_time, page[-1].id) if len(docs) > size else ""


async def sent(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, size: int, token: str
) -> tuple[list[Document], str]:
    async with uow:
        me = await member(uow, caller)
        docs = await uow.documents.sent(me.agency_id, size, decode_keyset("ListSent", token))
    last = docs[size - 1] if len(docs) > size else None
    return docs[:size], encode_keyset("ListSent", last.send_time, last.id) if last else ""


async def status_history(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, document_id: str
) -> list[tuple[Any, list[Any]]]:
    """Each visible recipient with its history rows, oldest first."""
    async with uow:
        me = await member(uow, caller)
        doc = await visible(uow, me, document_id, "GetDocumentStatus", caller)
        rows = await uow.documents.history(doc.id)
    return [(r, [h for h in rows if h.agency_id == r.agency_id]) for r in doc.recipients]


async def accesses(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, document_id: str, size: int, token: str
) -> tuple[list[Any], str]:
    """The access log of a document; recipients see only their own agency's accesses."""
    cursor = decode_cursor("ListDocumentAccess", token, 1)
    before = cursor[0] if cursor else 0
    if not isinstance(before, int) or isinstance(before, bool) or before < 0:
        raise invalid("page_token", "is not a token this method issued", reason=PAGE_TOKEN_INVALID)
    async with uow:
        me = await member(uow, caller)
        doc = await visible(uow, me, document_id, "ListDocumentAccess", caller)
        rows = await uow.documents.accesses(doc.id, size, before)
    if doc.sender_agency_id != me.agency_id:
        rows = [r for r in rows if r.agency_id == me.agency_id]
    return rows[:size], encode_cursor("ListDocumentAccess", [rows[size - 1].id]) if len(rows) > size else ""


async def subscribe(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, after: int
) -> AsyncIterator[tuple[int, str, Document]]:
    """Inbox events after the cursor ``after``, in order, then new ones as they are committed."""
    if after < 0:
        raise invalid("after_cursor", "must not be negative")
    async with uow:
        me = await member(uow, caller)
    cursor = after
    while True:
        signal = ctx.arrivals.current()
        async with uow:
            events = await uow.documents.inbox_events_after(me.agency_id, cursor, FEED_BATCH)
            batch = []
            for event in events:
                doc = await visible(uow, me, event.document_id, "SubscribeInbox", caller)
                batch.append((event.seq, event.kind, doc))
        for item in batch:
            yield item
            cursor = item[0]
        if not events:
            try:
                await asyncio.wait_for(signal.wait(), ctx.settings.subscription_poll_interval)
            except TimeoutError:
                pass
