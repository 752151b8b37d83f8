"""Attachments uploaded but never sent are deleted after a while (content and record)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from .context import Context
from .ports import DocumentsUnitOfWork

log = logging.getLogger("lienthong.documents.housekeeping")
INTERVAL = 600.0
BATCH = 500


async def purge_unsent(uow: DocumentsUnitOfWork, ctx: Context, ttl: timedelta) -> int:
    async with uow:
        return await uow.attachments.purge_unsent(ctx.now() - ttl, BATCH)


async def purge_unsent_forever(ctx: Context, ttl: timedelta) -> None:
    uow = ctx.uow()
    while True:
        try:
            purged = await purge_unsent(uow, ctx, ttl)
            if purged:
                log.info("unsent attachments purged", extra={"count": purged})
        except Exception:  # the database may be briefly away; try again next round
            log.warning("purging unsent attachments failed", exc_info=True)
        await asyncio.sleep(INTERVAL)
