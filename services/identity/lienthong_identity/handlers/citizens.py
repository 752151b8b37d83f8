"""Citizen accounts: registration, login (password + TOTP), refresh rotation, password change, logout."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from lienthong.identity.v1 import events_pb2
from lienthong_runtime.auth import Principal
from lienthong_runtime.errors import Unauthenticated, invalid
from lienthong_runtime.ids import new_id
from lienthong_runtime.timestamps import timestamp

from ..domain.audit import Caller
from ..domain.citizens import (
    CitizenAccount,
    check_password,
    contact_email,
    new_account_id,
    phone_e164,
    totp_step,
)
from ..domain.personal_id import parse_personal_id
from ..domain.scopes import CITIZEN_SCOPE
from ..domain.tokens import new_refresh_token, refresh_token_hash
from .context import Context
from .login_throttle import LoginThrottle
from .ports import IdentityUnitOfWork
from .tokens import IssuedToken, mint, revoke_access


@dataclass(frozen=True)
class Session:
    access: IssuedToken
    refresh_token: str
    refresh_expires_at: datetime


async def register(
    uow: IdentityUnitOfWork,
    ctx: Context,
    caller: Caller,
    personal_id: str,
    password: str,
    email: str,
    phone: str,
) -> str:
    async with ctx.audited(uow, caller, "citizen.register"):
        pid = parse_personal_id(personal_id, current_year=ctx.now().year)
        check_password(password, pid.value)
        email, phone = contact_email(email), phone_e164(phone)
        digest = await asyncio.to_thread(ctx.passwords.hash, password)
        account = CitizenAccount(
            id=new_account_id(),
            personal_id=pid.value,
            password_hash=digest,
            created_at=ctx.now(),
            email=email,
            phone_number=phone,
        )
        async with uow:
            await uow.citizens.add(account)
            await uow.audit(
                caller.event("citizen.register", ctx.now(), target=account.id, actor=account.subject)
            )
            if email or phone:
                uow.publish(_contact_changed(account), subject=account.id)
        ctx.committed(uow)
        return account.id


def _contact_changed(account: CitizenAccount) -> events_pb2.CitizenContactChanged:
    """The contact event notify keeps to reach the citizen (personal data: the outbox row is deleted once
    published)."""
    return events_pb2.CitizenContactChanged(
        account_id=account.id,
        personal_id=account.personal_id,
        email=account.email,
        phone_number=account.phone_number,
        change_time=timestamp(account.created_at),
    )


def _login_failed(reason: str = "INVALID_CREDENTIALS") -> Unauthenticated:
    return Unauthenticated("the personal ID, password or code is wrong", reason=reason)


async def login(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, personal_id: str, password: str, totp_code: str
) -> Session:
    """Password (+ TOTP once enrolled) login, slowed per account and per source after failures."""
    pid = parse_personal_id(personal_id, current_year=ctx.now().year)
    if not password:
        raise invalid("password", "is required")
    throttle = LoginThrottle(uow, ctx)
    account_key, source_key = throttle.keys(pid.value, caller.source_ip)
    async with ctx.audited(uow, caller, "login"):
        await throttle.enter(account_key, source_key)
        async with uow:
            account = await uow.citizens.by_personal_id(pid.value)
        ok = await asyncio.to_thread(
            ctx.passwords.verify, account.password_hash if account else None, password
        )
        if not ok or account is None:
            await throttle.failed(account_key, source_key)
            raise _login_failed()
        if account.totp_enabled:
            await _second_factor(uow, throttle, account, totp_code, (account_key, source_key))
        await throttle.succeeded(account_key, source_key)
        session = await _start_session(uow, ctx, caller, account, new_id(), None)
    return session


async def _second_factor(
    uow: IdentityUnitOfWork,
    throttle: LoginThrottle,
    account: CitizenAccount,
    code: str,
    keys: tuple[str, str],
) -> None:
    if not code:
        raise Unauthenticated("this account needs its TOTP code", reason="TOTP_REQUIRED")
    async with uow:
        secret, _ = await uow.citizens.totp_secrets(account.id)
        step = totp_step(secret, code, time.time())
        fresh = step is not None and await uow.citizens.use_totp_step(account.id, step)
    if step is None or not fresh:
        await throttle.failed(*keys)
        raise _login_failed("TOTP_INVALID" if step is None else "TOTP_REUSED")


async def _start_session(
    uow: IdentityUnitOfWork,
    ctx: Context,
    caller: Caller,
    account: CitizenAccount,
    family: str,
    family_expires: datetime | None,
) -> Session:
    now = ctx.now()
    expires = family_expires or now + timedelta(seconds=ctx.settings.refresh_token_ttl)
    refresh = new_refresh_token()
    async with uow:
        cutoff = await uow.tokens.sessions_revoked_before(account.subject)
        access = mint(
            ctx,
            subject=account.subject,
            agency_id="",
            client_id="",
            scopes=frozenset({CITIZEN_SCOPE}),
            kind="citizen",
            not_before=cutoff,
            pid=account.personal_id,
        )
        await uow.tokens.add_refresh(refresh_token_hash(refresh), family, account.id, now, expires)
        action = "login" if family_expires is None else "token.refresh"
        await uow.audit(caller.event(action, now, target=account.id, actor=account.subject))
    return Session(access, refresh, expires)


async def refresh(uow: IdentityUnitOfWork, ctx: Context, caller: Caller, token: str) -> Session:
    """Rotate: the presented token is used up; presenting a used one revokes the family and the sessions."""
    if not token:
        raise invalid("refresh_token", "is required")
    async with ctx.audited(uow, caller, "token.refresh"):
        now = ctx.now()
        digest = refresh_token_hash(token)
        async with uow:
            record = await uow.tokens.refresh(digest)
            if record is None or record.expires_at <= now or (record.revoked_at and not record.used_at):
                raise Unauthenticated("the refresh token is not valid", reason="REFRESH_TOKEN_INVALID")
            fresh = await uow.tokens.use_refresh(digest, now)
            if not fresh:
                await _revoke_sessions(uow, record.account_id, "refresh_token_reused", now)
                await uow.tokens.revoke_family(record.family_id, now)
            account = await uow.citizens.get(record.account_id)
        ctx.committed(uow)
        if not fresh:
            ctx.revocations.revoke_sessions(f"citizen:{record.account_id}", now.timestamp())
            raise Unauthenticated(
                "this refresh token was already used; the session is revoked", reason="REFRESH_TOKEN_REUSED"
            )
        if account is None:
            raise Unauthenticated("the refresh token is not valid", reason="REFRESH_TOKEN_INVALID")
        return await _start_session(uow, ctx, caller, account, record.family_id, record.expires_at)


async def _revoke_sessions(uow: IdentityUnitOfWork, account_id: str, cause: str, now: datetime) -> None:
    subject = f"citizen:{account_id}"
    await uow.tokens.revoke_account(account_id, now)
    await uow.tokens.revoke_sessions(subject, now.timestamp(), cause, now)
    uow.publish(
        events_pb2.SessionsRevoked(subject=subject, revoke_before=timestamp(now), cause=cause),
        subject=subject,
    )


async def change_password(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, principal: Principal, current: str, new: str
) -> None:
    """Change the password and revoke every session of the account (refresh families and access tokens)."""
    account_id = account_id_of(principal)
    async with ctx.audited(uow, caller, "citizen.password.change", account_id):
        async with uow:
            account = await uow.citizens.get(account_id)
        if account is None:
            raise Unauthenticated("no such account", reason="ACCOUNT_NOT_FOUND")
        # The same per-account/per-source slowing as Login: a stolen access token must not become a free
        # password-guessing oracle.
        throttle = LoginThrottle(uow, ctx)
        keys = throttle.keys(account.personal_id, caller.source_ip)
        await throttle.enter(*keys)
        if not await asyncio.to_thread(ctx.passwords.verify, account.password_hash, current):
            await throttle.failed(*keys)
            raise _login_failed()
        check_password(new, account.personal_id, "new_password")
        digest = await asyncio.to_thread(ctx.passwords.hash, new)
        now = ctx.now()
        async with uow:
            await uow.citizens.set_password(account_id, digest, now)
            await _revoke_sessions(uow, account_id, "password_changed", now)
            await uow.audit(caller.event("citizen.password.change", now, target=account_id))
        ctx.committed(uow)
        ctx.revocations.revoke_sessions(principal.subject, now.timestamp())
        await revoke_access(uow, ctx, caller, principal)


async def logout(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, principal: Principal, refresh_token: str
) -> None:
    account_id = account_id_of(principal)
    now = ctx.now()
    if refresh_token:
        async with uow:
            record = await uow.tokens.refresh(refresh_token_hash(refresh_token))
            if record is not None and record.account_id == account_id:
                await uow.tokens.revoke_family(record.family_id, now)
            await uow.audit(caller.event("logout", now, target=account_id))
    await revoke_access(uow, ctx, caller, principal)


def account_id_of(principal: Principal) -> str:
    if principal.kind != "citizen" or not principal.subject.startswith("citizen:"):
        raise Unauthenticated("this method needs a citizen token", reason="CITIZEN_TOKEN_REQUIRED")
    return principal.subject.removeprefix("citizen:")
