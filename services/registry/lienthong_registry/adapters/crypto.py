"""Protection at rest with the runtime's keyring and blind index (see ``lienthong_runtime.crypto``).

The registry's indexes keep their namespaces (``pid``, ``name-dob``, ``household``), so digests stay identical.
"""

from __future__ import annotations

from lienthong_runtime.config import data_folder, secret_value
from lienthong_runtime.crypto import BlindIndex, Keyring, load_key, load_keyring

from ..config import Settings
from ..domain.names import name_key

__all__ = ["CitizenIndex", "Keyring", "load_keys"]


class CitizenIndex(BlindIndex):
    """The registry's blind indexes: personal ID, name + date of birth (+ province), household."""

    def personal_id(self, personal_id: str) -> bytes:
        return self.digest("pid", personal_id.strip())

    def name_birth(self, full_name: str, birth_iso: str, province_code: str = "") -> bytes:
        return self.digest("name-dob", f"{name_key(full_name)}|{birth_iso}|{province_code}")

    def household(self, household_id: str) -> bytes:
        return self.digest("household", household_id)


def load_keys(settings: Settings) -> tuple[Keyring, CitizenIndex]:
    """The keyring and blind index from settings; generated once into the data folder only in dev mode, and
    production refuses to start without them (``lienthong_runtime.crypto.MissingKey``)."""
    folder = data_folder(settings)
    keyring = load_keyring(
        secret_value(settings.encryption_keys),
        setting="LIENTHONG_REGISTRY_ENCRYPTION_KEYS",
        dev_mode=settings.dev_mode,
        data_dir=folder,
        dev_name="registry-encryption-key",
        active=settings.encryption_active_key or None,
    )
    index_key = load_key(
        secret_value(settings.blind_index_key),
        setting="LIENTHONG_REGISTRY_BLIND_INDEX_KEY",
        dev_mode=settings.dev_mode,
        data_dir=folder,
        dev_name="registry-blind-index-key",
    )
    return keyring, CitizenIndex(index_key)
