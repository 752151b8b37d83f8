"""The embedded default: the same service on SQLite (migrations, writes, reads, the chain)."""

import base64
import hashlib
import hmac
import pickle

import pytest
from google.protobuf import field_mask_pb2

from lienthong.registry.v1 import registry_pb2 as pb
from lienthong.registry.v1 import registry_pb2_grpc
from lienthong_registry.adapters.crypto import load_keys
from lienthong_registry.bootstrap import build, load_settings
from lienthong_runtime.crypto import MissingKey
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
    # Dev-mode keys were generated once into the data folder and are reused.
    for name in ("registry-encryption-key", "registry-blind-index-key"):
        assert (tmp_path / name).stat().st_mode & 0o077 == 0
    (ring, index), (ring2, index2) = load_keys(settings), load_keys(settings)
    assert index.personal_id("001203000001") == index2.personal_id("001203000001")
    assert ring2.open(*ring.seal(b"x", b"aad"), b"aad") == b"x"


@pytest.mark.parametrize("dev_mode", [None, False])
async def test_without_dev_mode_it_refuses_to_start_without_keys(tmp_path, dev_mode):
    """Secure by default: not setting dev_mode is production."""
    extra = {} if dev_mode is None else {"dev_mode": dev_mode}
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/r.db", migrate_on_start=True, **extra
    )
    with pytest.raises(MissingKey, match="LIENTHONG_REGISTRY_ENCRYPTION_KEYS"):
        await build(settings)
    assert not list(tmp_path.iterdir())


def test_configured_keys_give_the_same_digests_as_before(tmp_path):
    """``kid:base64`` keyrings keep working, and the index namespaces are unchanged (stored digests stay valid)."""
    key = bytes(range(32))
    settings = load_settings(
        encryption_keys="k1:"
        + base64.b64encode(b"\x01" * 32).decode()
        + ",k2:"
        + base64.b64encode(key).decode(),
        blind_index_key=base64.b64encode(key).decode(),
        data_dir=str(tmp_path),
    )
    ring, index = load_keys(settings)
    assert ring.key_ids() == ["k1", "k2"] and ring.active == "k2"
    assert (
        index.personal_id(" 001203000001 ") == hmac.new(key, b"pid\x00001203000001", hashlib.sha256).digest()
    )
    assert index.household("H1") == hmac.new(key, b"household\x00H1", hashlib.sha256).digest()
    # Bulk-import workers receive the keys pickled.
    ring2, index2 = pickle.loads(pickle.dumps((ring, index)))
    assert ring2.open(*ring.seal(b"x", b"a"), b"a") == b"x" and index2.household("H1") == index.household(
        "H1"
    )


def test_import_command_refuses_without_keys(tmp_path, capsys, monkeypatch):
    """Rows sealed under a generated key would be unreadable by the servers: the command asks for the keys."""
    import argparse

    from lienthong_registry.cli import register

    for name in ("ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "DEV_MODE"):
        monkeypatch.delenv(f"LIENTHONG_REGISTRY_{name}", raising=False)
    path = tmp_path / "citizens.csv"
    path.write_text("personal_id\n001203000001\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="subcommand", required=True))
    args = parser.parse_args(["import", str(path), "--agency", "a", "--legal-reason", "r", "--no-progress"])
    assert args.func(args) == 2
    assert "LIENTHONG_REGISTRY_ENCRYPTION_KEYS" in capsys.readouterr().err
