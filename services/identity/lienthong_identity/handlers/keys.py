"""Signing-key rotation (command and schedule), key listing, and the periodic housekeeping."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from lienthong.identity.v1 import events_pb2
from lienthong_runtime.errors import invalid
from lienthong_runtime.paging import PAGE_TOKEN_INVALID, decode_cursor, encode_cursor

from .. import metrics
from ..domain.audit import Caller
from ..domain.keys import SigningKey
from .context import Context
from .ports import IdentityUnitOfWork

log = logging.getLogger("lienthong.identity")
SYSTEM = Caller(actor="system")


async def rotate_signing_key(
    uow: IdentityUnitOfWork,
    ctx: Context,
    caller: Caller,
    *,
    only_if_due: float | None = None,
) -> tuple[SigningKey, SigningKey] | None:
    """Promote the published NEXT key, retire the CURRENT one, publish a new NEXT (None if not due)."""
    now = ctx.now()
    async with uow:
        rotated = await uow.signing_keys.rotate(now, only_if_due=only_if_due)
        if rotated is None:
            return None
        current, upcoming, retired = rotated
        uow.publish(
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
    """Keys newest first; the page token carries the offset (the table stays tiny)."""
    cursor = decode_cursor("ListSigningKeys", token, 1)
    start = cursor[0] if cursor else 0
    if not isinstance(start, int) or start < 0:
        raise invalid("page_token", "is not a token this method issued", reason=PAGE_TOKEN_INVALID)
    await ctx.keys.reload()
    keys = sorted(ctx.keys.keys, key=lambda k: k.created_at, reverse=True)
    end = start + size
    return keys[start:end], encode_cursor("ListSigningKeys", [end]) if end < len(keys) else ""


async def housekeeping(ctx: Context, reload_revocations: Callable[[], Awaitable[None]]) -> None:
    """Forever: rotate on schedule, reload keys and revocations so all instances converge within seconds."""
    uow = ctx.uow()
    interval = ctx.settings.housekeeping_interval
    metrics.SIGNING_KEY_ROTATION_INTERVAL.set(ctx.settings.key_rotation_interval)
    while True:
        try:
            if ctx.settings.key_rotation_interval > 0:
                await rotate_signing_key(uow, ctx, SYSTEM, only_if_due=ctx.settings.key_rotation_interval)
            await ctx.keys.reload()
            await ctx.verifier.keys.refresh(force=True)  # forget keys that left the JWKS
            await reload_revocations()
            async with uow:
                await uow.tokens.prune(ctx.now())
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("identity housekeeping failed; will retry", exc_info=True)
        await asyncio.sleep(interval)
