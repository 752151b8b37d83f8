"""The agency's delivery-status callback: set (with secret generation or rotation), read, delete."""

from __future__ import annotations

from collections.abc import Iterable

from lienthong_runtime.errors import NotFound, invalid

from ..domain.callbacks import CallbackConfig, new_secret
from ..domain.channels import Status
from .ports import Caller, Deps, NotifyUnitOfWork


async def set_callback(
    uow: NotifyUnitOfWork,
    deps: Deps,
    caller: Caller,
    *,
    url: str,
    statuses: Iterable[Status],
    rotate_secret: bool,
) -> tuple[CallbackConfig, str]:
    """Store the callback; returns it and the signing secret when one was just generated (else "").
    The URL must pass the SSRF guard: its rules, and every address its host resolves to."""
    problem = await deps.callback_urls.problem(url)
    if problem:
        raise invalid("url", problem)
    now = deps.clock()
    async with uow:
        current = await uow.callbacks.get(caller.agency_id)
        fresh = current is None or rotate_secret
        secret = new_secret() if fresh or current is None else current.secret
        config = CallbackConfig(
            agency_id=caller.agency_id,
            url=url,
            statuses=frozenset(statuses),
            secret=secret,
            secret_create_time=now if fresh or current is None else current.secret_create_time,
            create_time=current.create_time if current else now,
            update_time=now,
        )
        await uow.callbacks.save(config, exists=current is not None)
    return config, secret if fresh else ""


async def get_callback(uow: NotifyUnitOfWork, caller: Caller) -> CallbackConfig:
    async with uow:
        config = await uow.callbacks.get(caller.agency_id)
    if config is None:
        raise NotFound("the agency has no callback", reason="CALLBACK_NOT_FOUND")
    return config


async def delete_callback(uow: NotifyUnitOfWork, caller: Caller) -> None:
    async with uow:
        await uow.callbacks.remove(caller.agency_id)
