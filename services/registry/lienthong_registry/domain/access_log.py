"""The access log: append-only, each entry chained to its predecessor by SHA-256 over canonical content."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import IntEnum

GENESIS_HASH = "0" * 64


class AccessAction(IntEnum):
    UNSPECIFIED = 0
    READ = 1
    VERIFY = 2
    SEARCH = 3
    HOUSEHOLD = 4
    HISTORY = 5
    WRITE = 6


@dataclass(frozen=True)
class AccessLogEntry:
    """Who accessed whose record, why and what they received. ``subject`` is the keyed blind index of the
    personal ID (hex) and ``sealed_personal_id`` its ciphertext (hex): neither reveals the ID."""

    id: str
    time_us: int
    agency_id: str
    agency_name: str
    client_id: str
    action: AccessAction
    purpose: str
    legal_basis: str
    fields: tuple[str, ...]
    subject: str
    sealed_personal_id: str
    sequence: int = 0
    previous_hash: str = ""
    entry_hash: str = ""


#: Sorted compact ASCII JSON. A prebuilt encoder: ``json.dumps`` with arguments builds a new one per call.
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode


def _content(e: AccessLogEntry, sequence: int, previous_hash: str) -> bytes:
    # Every stored column but the hash itself, named explicitly (no per-entry reflection over the dataclass);
    # tests pin these bytes to the generic form, so a new column cannot be left out of the hash unnoticed.
    return _ENCODE(
        {
            "action": int(e.action),
            "agency_id": e.agency_id,
            "agency_name": e.agency_name,
            "client_id": e.client_id,
            "fields": list(e.fields),
            "id": e.id,
            "legal_basis": e.legal_basis,
            "previous_hash": previous_hash,
            "purpose": e.purpose,
            "sealed_personal_id": e.sealed_personal_id,
            "sequence": sequence,
            "subject": e.subject,
            "time_us": e.time_us,
        }
    ).encode()


def canonical_content(entry: AccessLogEntry) -> bytes:
    """The bytes the entry hash covers: every stored column but the hash itself, as sorted compact JSON."""
    return _content(entry, entry.sequence, entry.previous_hash)


def _hash(previous_hash: str, content: bytes) -> str:
    return hashlib.sha256(previous_hash.encode() + b"\n" + content).hexdigest()


def entry_hash(previous_hash: str, entry: AccessLogEntry) -> str:
    return _hash(previous_hash, canonical_content(entry))


def chain(
    entries: Iterable[AccessLogEntry], last_sequence: int, last_hash: str, last_time_us: int = 0
) -> list[AccessLogEntry]:
    """Number and hash new entries after the chain's tail (``last_sequence``, ``last_hash``, ``last_time_us``).

    An entry's time is raised to its predecessor's when it is earlier (two processes' clocks, or an entry that
    waited in a batch): time never decreases along the chain, so each month of the time-partitioned log holds
    one contiguous range of sequences, and detaching the oldest months leaves a chain that starts where theirs
    ended. The raise is at most the clock skew between the registry's processes."""
    out = []
    for e in entries:
        last_sequence += 1
        last_time_us = max(e.time_us, last_time_us)
        e = replace(e, time_us=last_time_us)
        digest = _hash(last_hash, _content(e, last_sequence, last_hash))
        out.append(replace(e, sequence=last_sequence, previous_hash=last_hash, entry_hash=digest))
        last_hash = digest
    return out


def link_holds(entry: AccessLogEntry, predecessor_hash: str | None) -> bool:
    """Whether one entry verifies on its own: its content matches its hash, and its stored previous hash is the
    hash of the entry before it (``predecessor_hash``; the genesis hash for the first entry)."""
    expected_previous = GENESIS_HASH if entry.sequence == 1 else predecessor_hash
    return entry.previous_hash == expected_previous and entry.entry_hash == entry_hash(
        entry.previous_hash, replace(entry, entry_hash="")
    )


@dataclass
class ChainCheck:
    """Result of recomputing the chain: ``first_broken`` is 0 while every link holds; ``missing_writes`` counts
    record versions without their WRITE entry (a link-perfect log can still lack entries at its tail)."""

    checked: int = 0
    first_broken: int = 0
    detail: str = ""
    last_sequence: int = 0
    last_hash: str = GENESIS_HASH
    missing_writes: int = 0

    @property
    def intact(self) -> bool:
        return self.first_broken == 0 and self.missing_writes == 0


def check_entries(check: ChainCheck, entries: Iterable[AccessLogEntry]) -> ChainCheck:
    """Continue ``check`` over the next entries in sequence order; stops at the first broken link."""
    for entry in entries:
        if check.first_broken:
            break
        check.checked += 1
        if entry.sequence != check.last_sequence + 1:
            check.first_broken, check.detail = (
                entry.sequence,
                (f"sequence gap: expected {check.last_sequence + 1}, found {entry.sequence}"),
            )
        elif entry.previous_hash != check.last_hash:
            check.first_broken, check.detail = (
                entry.sequence,
                "previous-hash link does not match the entry before",
            )
        elif entry.entry_hash != entry_hash(check.last_hash, replace(entry, entry_hash="")):
            check.first_broken, check.detail = (
                entry.sequence,
                "content does not match its hash (altered entry)",
            )
        check.last_sequence, check.last_hash = entry.sequence, entry.entry_hash
    return check
