"""The engine's state that changes while it runs, owned by the agent: key slots and revocation maps.

* **Keys**: ``jwt_verify`` loads key files when the engine starts, so the configuration names fixed slots
  (``keys/slot<N>.pem``) and ``kids.map`` says which ``kid`` is in which slot. A new key is written to a free slot
  and takes effect at the next hitless reload; a slot keeps its key while the key is published, so a reload never
  moves a key under a call. Empty slots hold a throwaway public key nobody has the private half of.
* **Revocations**: one map file per kind (see :data:`lienthong_edge.rules.REVOCATION_MAPS`), rewritten on every
  change so that a reload or a restart starts from the current state; the running engine is told at once through
  its runtime API.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .keys import VerificationKey
from .rules import REVOCATION_MAPS


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _placeholder_pem() -> str:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def read_map(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    entries: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(" ")
        if key:
            entries[key] = value
    return entries


def map_text(entries: Mapping[str, str]) -> str:
    return "".join(f"{k} {v}\n" for k, v in sorted(entries.items()))


class StateFolder:
    """The agent's folder: ``keys/slot<N>.pem``, ``kids.map`` and the revocation maps."""

    def __init__(self, folder: str, slots: int) -> None:
        self.root = Path(folder)
        self.slots = slots

    def prepare(self) -> None:
        """Create whatever is missing, so the engine can start before identity answers."""
        (self.root / "keys").mkdir(parents=True, exist_ok=True)
        for slot in range(self.slots):
            pem = self.root / "keys" / f"slot{slot}.pem"
            if not pem.exists():
                _write(pem, _placeholder_pem())
        for name in (*REVOCATION_MAPS, "kids"):
            path = self.map_path(name)
            if not path.exists():
                _write(path, "")

    def map_path(self, name: str) -> Path:
        return self.root / f"{name}.map"

    def read(self, name: str) -> dict[str, str]:
        return read_map(self.map_path(name))

    def write_map(self, name: str, entries: Mapping[str, str]) -> None:
        _write(self.map_path(name), map_text(entries))

    def install_keys(self, keys: list[VerificationKey]) -> bool:
        """Put the published keys in slots (keeping the slots of keys already there); True when anything
        changed, i.e. the engine must reload. Keys beyond the slots are left out, newest ``kid`` first kept."""
        current = self.read("kids")
        wanted = {key.kid: key for key in keys}
        assigned = {kid: slot for kid, slot in current.items() if kid in wanted}
        free = [str(s) for s in range(self.slots) if str(s) not in assigned.values()]
        for kid in sorted(wanted, reverse=True):
            if kid not in assigned and free:
                assigned[kid] = free.pop(0)
        changed = assigned != current
        for kid, slot in assigned.items():
            path = self.root / "keys" / f"slot{slot}.pem"
            if not path.exists() or path.read_text(encoding="utf-8") != wanted[kid].pem:
                _write(path, wanted[kid].pem)
                changed = True
        if changed:
            self.write_map("kids", assigned)
        return changed
