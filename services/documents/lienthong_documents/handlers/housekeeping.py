"""Attachments uploaded but never sent are deleted after a while (content and record)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import delete, select

from ..adapters.tables import attachment_chunks, attachments
from .context import Context

log = logging.getLogger("lienthong.documents.housekeeping")
INTERVAL = 600.0


async def purge_unsent(ctx: Context, ttl: timedelta) -> int:
    cutoff = ctx.now() - ttl
    async with ctx.uow() as uow:
        query = (
            select(attachments.c.id)
            .where(attachments.c.document_id.is_(None), attachments.c.created_at < cutoff)
            .limit(500)
        )
        ids = list((await uow.session.execute(query)).scalars())
        if ids:
            await uow.session.execute(
                delete(attachment_chunks).where(attachment_chunks.c.attachment_id.in_(ids))
            )
            await uow.session.execute(delete(attachments).where(attachments.c.id.in_(ids)))
    return len(ids)


async def purge_unsent_forever(ctx: Context, ttl: timedelta) -> None:
    while True:
        try:
            purged = await purge_unsent(ctx, ttl)
            if purged:
                log.info("unsent attachments purged", extra={"count": purged})
        except Exception:  # the database may be briefly away; try again next round
            log.warning("purging unsent attachments failed", exc_info=True)
        await asyncio.sleep(INTERVAL)
