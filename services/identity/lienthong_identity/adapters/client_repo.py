"""Machine clients, their secrets and public keys in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lienthong_runtime.paging import decode_keyset, encode_keyset

from ..domain.agencies import Agency
from ..domain.clients import Client, ClientKey, ClientSecret, ClientState
from .agency_repo import agency_from_row
from .tables import agencies, client_keys, client_secrets, clients, used_assertions


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, client: Client) -> None:
        await self.session.execute(
            insert(clients).values(
                id=client.id,
                agency_id=client.agency_id,
                display_name=client.display_name,
                state=client.state.value,
                scopes=" ".join(sorted(client.scopes)),
                created_at=client.created_at,
                disabled_at=client.disabled_at,
            )
        )

    async def save(self, client: Client) -> None:
        await self.session.execute(
            update(clients)
            .where(clients.c.id == client.id)
            .values(
                state=client.state.value,
                scopes=" ".join(sorted(client.scopes)),
                disabled_at=client.disabled_at,
            )
        )

    async def get(
        self,
        client_id: str,
        *,
        agency_id: str | None = None,
        for_update: bool = False,
        now: datetime | None = None,
    ) -> Client | None:
        """One client with its secrets (usable at ``now`` when given) and keys; scoped to an agency if given."""
        query = select(clients).where(clients.c.id == client_id)
        if agency_id is not None:
            query = query.where(clients.c.agency_id == agency_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        return (await self._complete([row], now))[0]

    async def page(
        self, agency_id: str, state: ClientState | None, size: int, token: str, now: datetime
    ) -> tuple[list[Client], str]:
        c = clients.c
        query = select(clients).where(c.agency_id == agency_id).order_by(c.created_at, c.id).limit(size + 1)
        if state is not None:
            query = query.where(c.state == state.value)
        after = decode_keyset("ListClients", token)
        if after:
            query = query.where(or_(c.created_at > after[0], and_(c.created_at == after[0], c.id > after[1])))
        rows = (await self.session.execute(query)).all()
        more = len(rows) > size
        result = await self._complete(rows[:size], now)
        return result, encode_keyset("ListClients", result[-1].created_at, result[-1].id) if more else ""

    async def _complete(self, rows: Sequence[Any], now: datetime | None) -> list[Client]:
        ids = [r.id for r in rows]
        secret_query = select(client_secrets).where(client_secrets.c.client_id.in_(ids))
        if now is not None:
            secret_query = secret_query.where(
                or_(client_secrets.c.expires_at.is_(None), client_secrets.c.expires_at > now)
            )
        secrets: dict[str, list[ClientSecret]] = {i: [] for i in ids}
        for s in (await self.session.execute(secret_query.order_by(client_secrets.c.created_at))).all():
            secrets[s.client_id].append(ClientSecret(s.id, s.hash, s.created_at, s.expires_at))
        keys: dict[str, list[ClientKey]] = {i: [] for i in ids}
        key_query = (
            select(client_keys).where(client_keys.c.client_id.in_(ids)).order_by(client_keys.c.created_at)
        )
        for k in (await self.session.execute(key_query)).all():
            keys[k.client_id].append(ClientKey(k.key_id, k.algorithm, k.public_jwk, k.created_at))
        return [
            Client(
                id=r.id,
                agency_id=r.agency_id,
                display_name=r.display_name,
                state=ClientState(r.state),
                scopes=frozenset(r.scopes.split()),
                created_at=r.created_at,
                disabled_at=r.disabled_at,
                secrets=tuple(secrets[r.id]),
                keys=tuple(keys[r.id]),
            )
            for r in rows
        ]

    async def add_secret(self, client_id: str, secret: ClientSecret) -> None:
        await self.session.execute(
            insert(client_secrets).values(
                id=secret.id,
                client_id=client_id,
                hash=secret.hash,
                created_at=secret.created_at,
                expires_at=secret.expires_at,
            )
        )

    async def expire_secrets(self, client_id: str, at: datetime) -> None:
        """Give every secret of the client that is current or outlives ``at`` the expiry ``at``."""
        s = client_secrets.c
        await self.session.execute(
            update(client_secrets)
            .where(s.client_id == client_id, or_(s.expires_at.is_(None), s.expires_at > at))
            .values(expires_at=at)
        )

    async def add_key(self, client_id: str, key: ClientKey) -> None:
        await self.session.execute(
            insert(client_keys).values(
                client_id=client_id,
                key_id=key.key_id,
                algorithm=key.algorithm,
                public_jwk=key.public_jwk,
                created_at=key.created_at,
            )
        )

    async def delete_key(self, client_id: str, key_id: str) -> bool:
        result = await self.session.execute(
            delete(client_keys).where(client_keys.c.client_id == client_id, client_keys.c.key_id == key_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def strip_scopes(self, agency_id: str, allowed: frozenset[str]) -> None:
        """Remove scopes no longer allowed for the agency from all its clients."""
        rows = (
            await self.session.execute(
                select(clients.c.id, clients.c.scopes).where(clients.c.agency_id == agency_id)
            )
        ).all()
        for row in rows:
            kept = [s for s in row.scopes.split() if s in allowed]
            if len(kept) != len(row.scopes.split()):
                await self.session.execute(
                    update(clients).where(clients.c.id == row.id).values(scopes=" ".join(sorted(kept)))
                )

    async def recently_disabled(self, since: datetime) -> list[str]:
        query = select(clients.c.id).where(clients.c.disabled_at.is_not(None), clients.c.disabled_at > since)
        return [r.id for r in (await self.session.execute(query)).all()]

    async def with_agency(self, client_id: str, now: datetime) -> tuple[Client, Agency] | None:
        return await client_with_agency(self.session, client_id, now)

    async def use_assertion(self, client_id: str, jti: str, expires_at: datetime, now: datetime) -> bool:
        """Record an assertion ``jti``; False if it was already used (replay). Forgets expired ones."""
        await self.session.execute(
            delete(used_assertions).where(
                used_assertions.c.client_id == client_id, used_assertions.c.expires_at < now
            )
        )
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    insert(used_assertions).values(client_id=client_id, jti=jti, expires_at=expires_at)
                )
        except IntegrityError:
            return False
        return True


async def client_with_agency(
    session: AsyncSession, client_id: str, now: datetime
) -> tuple[Client, Agency] | None:
    """The client (with its usable secrets, without keys) and its agency in one round trip: the hot path of
    IssueToken."""
    columns = [
        *(c.label(f"c_{c.name}") for c in clients.c),
        *(c.label(f"a_{c.name}") for c in agencies.c),
        *(c.label(f"s_{c.name}") for c in client_secrets.c),
    ]
    usable = and_(
        client_secrets.c.client_id == clients.c.id,
        or_(client_secrets.c.expires_at.is_(None), client_secrets.c.expires_at > now),
    )
    query = (
        select(*columns)
        .select_from(
            clients.join(agencies, agencies.c.id == clients.c.agency_id).outerjoin(client_secrets, usable)
        )
        .where(clients.c.id == client_id)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return None

    def part(row: Any, prefix: str) -> SimpleNamespace:
        return SimpleNamespace(**{k[2:]: v for k, v in row._mapping.items() if k.startswith(prefix)})

    c = part(rows[0], "c_")
    found = tuple(
        ClientSecret(r.s_id, r.s_hash, r.s_created_at, r.s_expires_at) for r in rows if r.s_id is not None
    )
    client = Client(
        id=c.id,
        agency_id=c.agency_id,
        display_name=c.display_name,
        state=ClientState(c.state),
        scopes=frozenset(c.scopes.split()),
        created_at=c.created_at,
        disabled_at=c.disabled_at,
        secrets=found,
    )
    return client, agency_from_row(part(rows[0], "a_"))
