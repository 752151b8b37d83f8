"""A registry server on a fresh PostgreSQL database per test, with locally minted tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lienthong.registry.v1 import registry_pb2 as pb
from lienthong.registry.v1 import registry_pb2_grpc
from lienthong_registry.bootstrap import build, load_settings
from lienthong_registry.config import Settings
from lienthong_runtime import migrations
from lienthong_runtime.server import ServiceApp
from lienthong_runtime.testing import TokenMint, running

from .factories import ALL_SCOPES


@dataclass
class RegistryHarness:
    stub: registry_pb2_grpc.RegistryServiceStub
    mint: TokenMint
    app: ServiceApp
    settings: Settings
    url: str

    def md(self, scopes: tuple[str, ...] = ALL_SCOPES, agency: str = "agency-registrar", **kw: Any):
        return self.mint.metadata(scopes, agency=agency, **kw)

    async def policy(
        self, agency: str, purpose: str, fields: list[str], basis: str = "Luật Cư trú 2020"
    ) -> None:
        policy = pb.DisclosurePolicy(agency_id=agency, purpose=purpose, fields=fields, legal_basis=basis)
        await self.stub.SetDisclosurePolicy(pb.SetDisclosurePolicyRequest(policy=policy), metadata=self.md())

    async def create(self, citizen: pb.Citizen) -> pb.Citizen:
        request = pb.CreateCitizenRequest(citizen=citizen, legal_reason="Birth registration 123/QĐ")
        return (await self.stub.CreateCitizen(request, metadata=self.md())).citizen


async def start_registry(url: str, socket: str, data_dir: Path, mint: TokenMint) -> Any:
    await migrations.upgrade_async("lienthong_registry", url, "registry")
    settings = load_settings(
        database_url=url,
        data_dir=str(data_dir),
        dev_mode=True,
        http_port=0,  # an ephemeral port: parallel runs must not collide on 8062
        bus_url=f"memory://registry-{uuid.uuid4().hex}",
    )
    app = await build(settings, verifier=mint.verifier())
    return settings, app, running(app, socket)


@pytest.fixture
async def registry(pg_url: str, unix_socket: str, tmp_path: Path) -> AsyncIterator[RegistryHarness]:
    mint = TokenMint()
    settings, app, server = await start_registry(pg_url, unix_socket, tmp_path, mint)
    async with server as channel:
        yield RegistryHarness(registry_pb2_grpc.RegistryServiceStub(channel), mint, app, settings, pg_url)
