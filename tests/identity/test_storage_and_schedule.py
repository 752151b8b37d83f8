"""What a database dump reveals (sealed keys and personal data, hashed secrets) and the rotation schedule."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select

from lienthong.identity.v1 import identity_pb2 as pb
from lienthong_identity.adapters.crypto import keyring
from lienthong_identity.adapters.tables import citizens, client_secrets, signing_keys

from .conftest import start_identity


async def test_a_database_dump_reveals_no_secret(identity):
    pid = f"001{'0'}{'90'}{uuid.uuid4().int % 10**6:06d}"
    await identity.stub.RegisterCitizen(
        pb.RegisterCitizenRequest(personal_id=pid, password="mật-khẩu-bí-mật-1", email="a@example.vn")
    )
    created = await identity.new_agency()
    async with identity.ctx.sessions() as session:
        dump = b""
        for table in (citizens, client_secrets, signing_keys):
            for row in (await session.execute(select(table))).all():
                dump += repr(row).encode()
        sealed = (await session.execute(select(signing_keys.c.kid, signing_keys.c.private_key))).first()
    for plain in (pid, "mật-khẩu-bí-mật-1", "a@example.vn", created.initial_client_secret):
        assert plain.encode() not in dump
    ring, aad = identity.ctx.keyring, f"signing_keys:{sealed.kid}".encode()
    ring.open_packed(sealed.private_key, aad)
    # The key id is stored with the ciphertext (so the format survives a future KEK rotation).
    assert sealed.private_key[1 : 1 + sealed.private_key[0]].decode() == ring.active
    with pytest.raises(KeyError):  # another KEK has another key id
        keyring(b"\x00" * 32).open_packed(sealed.private_key, aad)
    with pytest.raises(InvalidTag):  # the same ciphertext moved to another row fails
        ring.open_packed(sealed.private_key, b"signing_keys:another-kid")


async def test_platform_admin_reads_every_agencys_audit_trail(identity):
    created = await identity.new_agency()
    await identity.token(created.initial_client.client_id, created.initial_client_secret)
    events = await identity.stub.ListAuditEvents(
        pb.ListAuditEventsRequest(action="token.issue", page_size=200), metadata=await identity.admin()
    )
    assert created.agency.id in {e.agency_id for e in events.events}


async def test_scheduled_rotation(migrated_pg, unix_socket, tmp_path):
    server, identity = await start_identity(
        migrated_pg, unix_socket, tmp_path, key_rotation_interval=1, housekeeping_interval=0.2
    )
    try:
        first = identity.ctx.keys.current_kid
        for _ in range(100):
            await asyncio.sleep(0.1)
            if identity.ctx.keys.current_kid != first:
                break
        assert identity.ctx.keys.current_kid != first
        jwks = await identity.stub.GetJwks(pb.GetJwksRequest())
        assert first in [k.kid for k in jwks.keys]  # retired, still published for its live tokens
    finally:
        await identity.channel.close()
        await server.stop(0)
