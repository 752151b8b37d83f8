"""The agency's delivery-status callback: set (with secret generation or rotation), read, delete."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from lienthong_runtime import outbound, validation
from lienthong_runtime.errors import NotFound, invalid

from ..adapters import callback_store
from ..domain.callbacks import CallbackConfig, new_secret, url_problem
from ..domain.channels import Status
from .context import Notify, utcnow


async def set_callback(
    notify: Notify, agency_id: str, url: str, statuses: Iterable[Status], rotate_secret: bool
) -> tuple[CallbackConfig, str]:
    """Store the callback; returns it and the signing secret when one was just generated (else "")."""
    settings = notify.settings
    problem = url_problem(url, settings.callback_allow_http_localhost, settings.callback_allowed_hosts)
    if problem:
        raise invalid("url", problem)
    await _resolves_publicly(url, settings.callback_allow_http_localhost, settings.callback_allowed_hosts)
    now = utcnow()
    async with notify.connect() as session, session.begin():
        current = await callback_store.get(session, agency_id)
        fresh = current is None or rotate_secret
        secret = new_secret() if fresh else current.secret  # type: ignore[union-attr]
        config = CallbackConfig(
            agency_id=agency_id,
            url=url,
            statuses=frozenset(statuses),
            secret=secret,
            secret_create_time=now if fresh else current.secret_create_time,  # type: ignore[union-attr]
            create_time=current.create_time if current else now,
            update_time=now,
        )
        await callback_store.save(session, config, exists=current is not None)
    return config, secret if fresh else ""


async def _resolves_publicly(url: str, allow_http_localhost: bool, allowed: list[str]) -> None:
    """INVALID_ARGUMENT unless every address the URL's host resolves to is public (or allowed)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if allow_http_localhost and host in validation.LOCAL_HOSTS:
        return
    try:
        await outbound.resolve_public(host, parts.port or 443, validation.AllowList(allowed))
    except validation.Invalid as exc:
        raise invalid("url", str(exc)) from None


async def get_callback(notify: Notify, agency_id: str) -> CallbackConfig:
    async with notify.connect() as session:
        config = await callback_store.get(session, agency_id)
    if config is None:
        raise NotFound("the agency has no callback", reason="CALLBACK_NOT_FOUND")
    return config


async def delete_callback(notify: Notify, agency_id: str) -> None:
    async with notify.connect() as session, session.begin():
        await callback_store.remove(session, agency_id)
