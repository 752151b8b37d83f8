import os
import stat

import pytest
from cryptography.exceptions import InvalidTag

from lienthong_runtime.crypto import BlindIndex, Keyring, MissingKey, b64encode, load_key, load_keyring


def test_seal_and_open_with_rotation():
    old, new = os.urandom(32), os.urandom(32)
    ring = Keyring.parse(f"k1:{b64encode(old)}")
    kid, blob = ring.seal_text("Nguyễn Văn An", b"citizens:name:1")
    assert kid == "k1" and b"Nguy" not in blob
    rotated = Keyring.parse(f"k1:{b64encode(old)},k2:{b64encode(new)}")
    assert rotated.active == "k2"
    assert rotated.open_text(kid, blob, b"citizens:name:1") == "Nguyễn Văn An"
    assert rotated.seal(b"x", b"a")[0] == "k2"


def test_associated_data_and_tampering_are_caught():
    ring = Keyring({"k": os.urandom(32)})
    kid, blob = ring.seal(b"secret", b"row-1")
    with pytest.raises(InvalidTag):
        ring.open(kid, blob, b"row-2")
    with pytest.raises(InvalidTag):
        ring.open(kid, blob[:-1] + bytes([blob[-1] ^ 1]), b"row-1")


def test_blind_index_is_keyed_and_namespaced():
    key = os.urandom(32)
    index, other = BlindIndex(key), BlindIndex(os.urandom(32))
    assert index.digest("pid", "001203000001") == BlindIndex(key).digest("pid", "001203000001")
    assert index.digest("pid", "001203000001") != other.digest("pid", "001203000001")
    assert index.digest("pid", "x") != index.digest("email", "x")


def test_keys_are_required_outside_dev_mode_and_generated_once_in_dev(tmp_path):
    with pytest.raises(MissingKey):
        load_keyring("", setting="LIENTHONG_X_KEYS", dev_mode=False, data_dir=tmp_path, dev_name="x-keys")
    first = load_key("", setting="S", dev_mode=True, data_dir=tmp_path, dev_name="x-key")
    assert first == load_key("", setting="S", dev_mode=True, data_dir=tmp_path, dev_name="x-key")
    assert stat.S_IMODE((tmp_path / "x-key").stat().st_mode) == 0o600
    ring = load_keyring("", setting="S", dev_mode=True, data_dir=tmp_path, dev_name="x-ring")
    assert ring.key_ids() == ["dev1"]
