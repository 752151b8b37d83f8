"""Machine clients of the caller's agency: create, read, disable, rotate secrets, scopes and public keys.

Every query is scoped to ``caller.agency_id`` (from the verified token): another agency's client answers
NOT_FOUND, exactly as a client that does not exist.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from lienthong.identity.v1 import events_pb2
from lienthong_runtime.errors import NotFound, PermissionDenied, invalid
from lienthong_runtime.timestamps import timestamp

from ..domain.agencies import Agency, display_name, reason_text
from ..domain.assertions import parse_public_jwk
from ..domain.audit import Caller
from ..domain.clients import Client, ClientKey, ClientState, new_client_id, new_secret, overlap_window
from ..domain.scopes import check_scopes, client_ceiling
from . import idempotency
from .context import Context
from .ports import IdentityUnitOfWork


async def add_client(
    uow: IdentityUnitOfWork,
    ctx: Context,
    caller: Caller,
    agency: Agency,
    name: str,
    scopes: frozenset[str],
    now: datetime,
) -> tuple[Client, str]:
    """Create a client inside ``uow``; returns it and its secret (plain text, shown once)."""
    plain, secret = new_secret(ctx.secrets, now)
    client = Client(
        id=new_client_id(),
        agency_id=agency.id,
        display_name=display_name(name),
        state=ClientState.ACTIVE,
        scopes=scopes,
        created_at=now,
        secrets=(secret,),
    )
    await uow.clients.add(client)
    await uow.clients.add_secret(client.id, secret)
    uow.publish(
        events_pb2.ClientCreated(client_id=client.id, agency_id=agency.id, scopes=sorted(scopes)),
        subject=client.id,
        agency_id=agency.id,
    )
    await uow.audit(caller.event("client.create", now, target=client.id, agency_id=agency.id))
    return client, plain


async def create_client(
    uow: IdentityUnitOfWork,
    ctx: Context,
    caller: Caller,
    name: str,
    scopes: list[str],
    idempotency_key: str = "",
) -> tuple[Client, str]:
    """A new client of the caller's agency and its secret. With an idempotency key, a retry of the same request
    returns the client and secret the first call created."""
    key = idempotency.check_key(idempotency_key)
    digest = idempotency.fingerprint(name, sorted(scopes))
    async with ctx.audited(uow, caller, "client.create"):
        now = ctx.now()
        async with uow:
            found = await idempotency.replay(uow, caller, "client", key, digest, now) if key else None
            first = await uow.clients.get(found.client_id) if found is not None else None
            if found is not None and first is not None:
                return first, found.secret or ""
            agency = await uow.agencies.get(caller.agency_id)
            if agency is None or not agency.active:
                raise PermissionDenied("the caller's agency is not active", reason="AGENCY_SUSPENDED")
            granted = check_scopes(scopes, client_ceiling(agency.allowed_scopes), "scopes")
            client, plain = await add_client(uow, ctx, caller, agency, name, granted, now)
            if key:
                await idempotency.remember(
                    uow,
                    caller,
                    "client",
                    key,
                    digest,
                    agency_id=agency.id,
                    client_id=client.id,
                    secret=plain,
                    now=now,
                )
        ctx.committed(uow)
        return client, plain


async def get_client(uow: IdentityUnitOfWork, ctx: Context, caller: Caller, client_id: str) -> Client:
    async with uow:
        return await _own(uow, caller, client_id, ctx.now())


async def list_clients(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, state: ClientState | None, size: int, token: str
) -> tuple[list[Client], str]:
    async with uow:
        return await uow.clients.page(caller.agency_id, state, size, token, ctx.now())


async def disable_client(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, client_id: str, reason: str
) -> Client:
    """Disable for good (idempotent); its outstanding tokens stop working."""
    async with ctx.audited(uow, caller, "client.disable", client_id):
        reason_text(reason)
        now = ctx.now()
        async with uow:
            client = await _own(uow, caller, client_id, now, lock=True)
            if not client.active:
                return client
            client = replace(client, state=ClientState.DISABLED, disabled_at=now)
            await uow.clients.save(client)
            uow.publish(
                events_pb2.ClientDisabled(
                    client_id=client.id, agency_id=client.agency_id, disable_time=timestamp(now)
                ),
                subject=client.id,
                agency_id=client.agency_id,
            )
            await uow.audit(caller.event("client.disable", now, target=client.id))
        ctx.committed(uow)
        ctx.revocations.disable_client(client.id)
        return replace(client, secrets=())


async def rotate_secret(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, client_id: str, overlap_s: float
) -> tuple[Client, str, datetime]:
    """A new secret; the previous ones keep working until the end of the overlap window."""
    async with ctx.audited(uow, caller, "client.secret.rotate", client_id):
        now = ctx.now()
        until = now + overlap_window(overlap_s)
        async with uow:
            client = await _own(uow, caller, client_id, now, lock=True)
            if not client.active:
                raise PermissionDenied("the client is disabled", reason="CLIENT_DISABLED")
            await uow.clients.expire_secrets(client.id, until)
            plain, secret = new_secret(ctx.secrets, now)
            await uow.clients.add_secret(client.id, secret)
            uow.publish(
                events_pb2.ClientSecretRotated(
                    client_id=client.id,
                    agency_id=client.agency_id,
                    previous_secret_expire_time=timestamp(until),
                ),
                subject=client.id,
                agency_id=client.agency_id,
            )
            await uow.audit(caller.event("client.secret.rotate", now, target=client.id))
            client = await _own(uow, caller, client_id, now)
        ctx.committed(uow)
        return client, plain, until


async def set_scopes(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, client_id: str, scopes: list[str]
) -> Client:
    async with ctx.audited(uow, caller, "client.scopes.set", client_id):
        now = ctx.now()
        async with uow:
            client = await _own(uow, caller, client_id, now, lock=True)
            agency = await uow.agencies.get(caller.agency_id)
            allowed = client_ceiling(agency.allowed_scopes) if agency else frozenset()
            client = replace(client, scopes=check_scopes(scopes, allowed, "scopes"))
            await uow.clients.save(client)
            await uow.audit(caller.event("client.scopes.set", now, target=client.id))
        return client


async def register_key(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, client_id: str, public_jwk: str
) -> ClientKey:
    async with ctx.audited(uow, caller, "client.key.register", client_id):
        kid, algorithm, jwk = parse_public_jwk(public_jwk)
        now = ctx.now()
        async with uow:
            client = await _own(uow, caller, client_id, now, lock=True)
            if any(k.key_id == kid for k in client.keys):
                raise invalid(
                    "public_jwk", "a key with this kid is already registered", reason="CLIENT_KEY_EXISTS"
                )
            key = ClientKey(key_id=kid, algorithm=algorithm, public_jwk=json.dumps(jwk), created_at=now)
            await uow.clients.add_key(client.id, key)
            await uow.audit(caller.event("client.key.register", now, target=f"{client.id}/{kid}"))
        return key


async def delete_key(
    uow: IdentityUnitOfWork, ctx: Context, caller: Caller, client_id: str, key_id: str
) -> None:
    async with ctx.audited(uow, caller, "client.key.delete", client_id):
        if not key_id:
            raise invalid("key_id", "is required")
        now = ctx.now()
        async with uow:
            client = await _own(uow, caller, client_id, now, lock=True)
            if not await uow.clients.delete_key(client.id, key_id):
                raise NotFound("no such key", reason="CLIENT_KEY_NOT_FOUND")
            await uow.audit(caller.event("client.key.delete", now, target=f"{client.id}/{key_id}"))


async def _own(
    uow: IdentityUnitOfWork, caller: Caller, client_id: str, now: datetime, lock: bool = False
) -> Client:
    """The caller's agency's client, or NOT_FOUND (also for another agency's client)."""
    if not client_id:
        raise invalid("client_id", "is required")
    client = await uow.clients.get(client_id, agency_id=caller.agency_id or "\0", for_update=lock, now=now)
    if client is None:
        raise NotFound("no such client", reason="CLIENT_NOT_FOUND")
    return client
