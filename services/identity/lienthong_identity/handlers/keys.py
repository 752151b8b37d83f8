"""Signing-key rotation (command and schedule), key listing, and the periodic housekeeping."""

from __future__ import annotations

import asyncio
import logging

from lienthong.identity.v1 import events_pb2

from .. import metrics
from ..adapters.revocations import RevocationLoader
from ..adapters.token_repo import prune
from ..domain.audit import Caller
from ..domain.keys import SigningKey
from .context import Context

log = logging.getLogger("lienthong.identity")
SYSTEM = Caller(actor="system")


async def rotate_signing_key(
    ctx: Context,
    caller: Caller,
    *,
    only_if_due: float | None = None,
) -> tuple[SigningKey, SigningKey] | None:
    """Promote the published NEXT key, retire the CURRENT one, publish a new NEXT (None if not due)."""
    now = ctx.now()
    async with ctx.uow() as uow:
        rotated = await ctx.keys.rotate(uow.session, now, only_if_due=only_if_due)
        if rotated is None:
            return None
        current, upcoming, retired = rotated
        await uow.publish(
            events_pb2.SigningKeyRotated(
                current_kid=current.kid, next_kid=upcoming.kid, retired_kid=retired.kid if retired else ""
            ),
            subject=current.kid,
        )
        await uow.audit(caller.event("signing_key.rotate", now, target=current.kid))
    ctx.committed(uow)
    await ctx.keys.reload()
    await ctx.verifier.keys.refresh(force=True)
    return current, upcoming


async def list_signing_keys(ctx: Context, size: int, token: str) -> tuple[list[SigningKey], str]:
    """Keys newest first; the page token is the offset (the table stays tiny)."""
    await ctx.keys.reload()
    keys = sorted(ctx.keys.keys, key=lambda k: k.created_at, reverse=True)
    start = int(token) if token.isdigit() else 0
    page = keys[start : start + size]
    return page, str(start + size) if start + size < len(keys) else ""


async def housekeeping(ctx: Context, loader: RevocationLoader) -> None:
    """Forever: rotate on schedule, reload keys and revocations so all instances converge within seconds."""
    interval = ctx.settings.housekeeping_interval
    metrics.SIGNING_KEY_ROTATION_INTERVAL.set(ctx.settings.key_rotation_interval)
    while True:
        try:
            if ctx.settings.key_rotation_interval > 0:
                await rotate_signing_key(ctx, SYSTEM, only_if_due=ctx.settings.key_rotation_interval)
            await ctx.keys.reload()
            await ctx.verifier.keys.refresh(force=True)  # forget keys that left the JWKS
            await loader.reload()
            async with ctx.uow() as uow:
                await prune(uow.session, ctx.now())
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("identity housekeeping failed; will retry", exc_info=True)
        await asyncio.sleep(interval)
