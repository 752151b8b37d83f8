"""The embedded default: the same service on SQLite (migrations, writes, reads, the chain)."""

import pytest
from google.protobuf import field_mask_pb2

from lienthong.registry.v1 import registry_pb2 as pb
from lienthong.registry.v1 import registry_pb2_grpc
from lienthong_registry.adapters.crypto import load_key_material
from lienthong_registry.bootstrap import build, load_settings
from lienthong_runtime.testing import TokenMint

from .conftest import start_registry
from .factories import ALL_SCOPES, HANOI, citizen


async def test_registry_on_sqlite(sqlite_url, unix_socket, tmp_path):
    mint = TokenMint()
    settings, _, server = await start_registry(sqlite_url, unix_socket, tmp_path, mint)
    md = mint.metadata(ALL_SCOPES, agency="agency-dev")
    async with server as channel:
        stub = registry_pb2_grpc.RegistryServiceStub(channel)
        await stub.SetDisclosurePolicy(
            pb.SetDisclosurePolicyRequest(
                policy=pb.DisclosurePolicy(
                    agency_id="agency-dev", purpose="dev.read", fields=["current_address"], legal_basis="dev"
                )
            ),
            metadata=md,
        )
        created = (
            await stub.CreateCitizen(
                pb.CreateCitizenRequest(citizen=citizen(), legal_reason="dev"), metadata=md
            )
        ).citizen
        await stub.UpdateCitizen(
            pb.UpdateCitizenRequest(
                personal_id=created.personal_id,
                expected_version=1,
                legal_reason="move",
                citizen=pb.Citizen(current_address=pb.Address(province_code=HANOI, ward_code="00008")),
                update_mask=field_mask_pb2.FieldMask(paths=["current_address"]),
            ),
            metadata=md,
        )
        view = (
            await stub.GetCitizen(
                pb.GetCitizenRequest(personal_id=created.personal_id, purpose="dev.read"), metadata=md
            )
        ).citizen
        assert view.version == 2 and view.current_address.ward_code == "00008" and not view.full_name
        chain = await stub.VerifyAccessLogChain(pb.VerifyAccessLogChainRequest(), metadata=md)
        assert chain.intact and chain.entries_checked == 3
    # Development keys were generated once into the data folder and are reused.
    assert (tmp_path / "registry-keys.json").stat().st_mode & 0o077 == 0
    assert load_key_material(settings)[2] == load_key_material(settings)[2]


async def test_production_refuses_to_start_without_keys(tmp_path):
    settings = load_settings(environment="production", database_url=f"sqlite+aiosqlite:///{tmp_path}/r.db")
    with pytest.raises(RuntimeError, match="required in production"):
        await build(settings)
    assert not (tmp_path / "registry-keys.json").exists()
