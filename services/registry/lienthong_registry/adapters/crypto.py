"""Protection at rest with the runtime's keyring and blind index (``lienthong_runtime.keys_at_rest``).

The registry's indexes keep their namespaces (``pid``, ``name-dob``, ``household``), so digests stay identical,
and its dev key files keep their names, so an existing dev data folder still opens.
"""

from __future__ import annotations

from typing import cast

from lienthong_runtime.crypto import BlindIndex, Keyring
from lienthong_runtime.keys_at_rest import load_keys_at_rest

from ..config import Settings
from ..domain.names import name_key

__all__ = ["CitizenIndex", "Keyring", "load_keys"]

KEYRING_FILE = "registry-encryption-key"
INDEX_FILE = "registry-blind-index-key"


class CitizenIndex:
    """The registry's blind indexes over the service's :class:`BlindIndex`: personal ID, name + date of birth
    (+ province), household. Picklable (bulk-import workers receive it)."""

    def __init__(self, index: BlindIndex) -> None:
        self._index = index

    def digest(self, kind: str, value: str) -> bytes:
        return self._index.digest(kind, value)

    def personal_id(self, personal_id: str) -> bytes:
        return self._index.digest("pid", personal_id.strip())

    def name_birth(self, full_name: str, birth_iso: str, province_code: str = "") -> bytes:
        return self._index.digest("name-dob", f"{name_key(full_name)}|{birth_iso}|{province_code}")

    def household(self, household_id: str) -> bytes:
        return self._index.digest("household", household_id)


def load_keys(settings: Settings) -> tuple[Keyring, CitizenIndex]:
    """The keyring and blind index from settings; generated once into the data folder only in dev mode, and
    production refuses to start without them (``lienthong_runtime.crypto.MissingKey``)."""
    keys = load_keys_at_rest(settings, keyring_file=KEYRING_FILE, index_file=INDEX_FILE)
    return keys.keyring, CitizenIndex(cast(BlindIndex, keys.index))  # present: index_file was given
