"""One loader of every service's keys at rest (``lienthong_runtime.keys_at_rest``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lienthong_runtime.config import ServiceSettings, service_config
from lienthong_runtime.crypto import MissingKey
from lienthong_runtime.keys_at_rest import load_keys_at_rest


class DemoSettings(ServiceSettings):
    model_config = service_config("DEMO")
    encryption_keys: str | None = None
    encryption_active_key: str = ""
    blind_index_key: str | None = None


def test_dev_mode_generates_owner_only_files_once(tmp_path: Path) -> None:
    settings = DemoSettings(dev_mode=True, data_dir=str(tmp_path))
    first = load_keys_at_rest(settings, keyring_file="demo-key", index_file="demo-index")
    again = load_keys_at_rest(settings, keyring_file="demo-key", index_file="demo-index")
    sealed = first.keyring.seal_packed(b"secret", b"aad")
    assert again.keyring.open_packed(sealed, b"aad") == b"secret"
    assert first.index is not None and again.index is not None
    assert first.index.digest("pid", "1") == again.index.digest("pid", "1")
    for name in ("demo-key", "demo-index"):
        assert (tmp_path / name).stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_keys_and_names_the_setting(tmp_path: Path) -> None:
    settings = DemoSettings(dev_mode=False, data_dir=str(tmp_path))
    with pytest.raises(MissingKey, match="LIENTHONG_DEMO_ENCRYPTION_KEYS"):
        load_keys_at_rest(settings, keyring_file="demo-key")
    assert not (tmp_path / "demo-key").exists()


def test_no_index_unless_asked(tmp_path: Path) -> None:
    keys = load_keys_at_rest(DemoSettings(dev_mode=True, data_dir=str(tmp_path)), keyring_file="k")
    assert keys.index is None
