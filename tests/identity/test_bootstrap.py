"""Composition: KEK policy, the embedded-mode demo seed, the bootstrap command, migrations on both backends."""

from __future__ import annotations

import stat

import pytest

from lienthong_identity.adapters.crypto import load_kek
from lienthong_identity.bootstrap import seed_demo
from lienthong_identity.cli import register
from lienthong_runtime import migrations
from lienthong_runtime.crypto import MissingKey

from .conftest import identity_settings


def test_production_refuses_to_start_without_a_kek(tmp_path):
    settings = identity_settings(
        "postgresql+asyncpg://db/identity", tmp_path, dev_mode=False, key_encryption_key=None
    )
    with pytest.raises(MissingKey, match="LIENTHONG_IDENTITY_KEY_ENCRYPTION_KEY"):
        load_kek(settings)


def test_the_embedded_database_alone_is_not_dev_mode(tmp_path):
    """SQLite migrated at start used to count as development; only dev_mode allows a generated KEK now."""
    settings = identity_settings(
        f"sqlite+aiosqlite:///{tmp_path}/identity.db",
        tmp_path,
        dev_mode=False,
        migrate_on_start=True,
        key_encryption_key=None,
    )
    with pytest.raises(MissingKey):
        load_kek(settings)
    assert not (tmp_path / "identity-kek").exists()


def test_dev_mode_generates_a_private_kek_once(tmp_path):
    settings = identity_settings(
        f"sqlite+aiosqlite:///{tmp_path}/identity.db", tmp_path, key_encryption_key=None
    )
    first = load_kek(settings)
    assert load_kek(settings) == first and len(first) == 32
    assert stat.S_IMODE((tmp_path / "identity-kek").stat().st_mode) == 0o600


async def test_seed_demo_is_idempotent_on_sqlite(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/identity.db"
    await migrations.upgrade_async("lienthong_identity", url, "identity")
    settings = identity_settings(url, tmp_path, key_encryption_key=None)
    demo = await seed_demo(settings, tmp_path)
    assert set(demo) == {"client_id", "client_secret", "admin_client_id", "admin_client_secret", "agency_id"}
    assert demo["client_secret"].startswith("lts_") and len(demo["client_secret"]) > 40
    assert await seed_demo(settings, tmp_path) == demo
    assert stat.S_IMODE((tmp_path / "demo-credentials.json").stat().st_mode) == 0o600


def test_bootstrap_command_prints_credentials_once_then_refuses(tmp_path, capsys, monkeypatch):
    import argparse

    from .conftest import SESSION_KEK

    url = f"sqlite+aiosqlite:///{tmp_path}/identity.db"
    migrations.upgrade("lienthong_identity", url, "identity")
    monkeypatch.setenv("LIENTHONG_IDENTITY_KEY_ENCRYPTION_KEY", SESSION_KEK)
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="subcommand", required=True))
    args = parser.parse_args(["bootstrap", "--database-url", url])
    assert args.func(args) == 0
    first = capsys.readouterr().out
    assert "client_secret: lts_" in first and "client_id: cl_" in first
    assert args.func(args) == 1  # no second operator, and no secret printed again
    again = capsys.readouterr()
    assert "already bootstrapped" in again.err and "lts_" not in again.out


async def test_migrations_apply_on_both_backends(db_url):
    await migrations.upgrade_async("lienthong_identity", db_url, "identity")
    assert migrations.head_revision("lienthong_identity", "identity") == "0004"
