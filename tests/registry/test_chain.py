"""The access-log hash chain as pure domain code: every kind of tampering is reported at its first entry."""

from dataclasses import replace

from lienthong_registry.domain.access_log import (
    GENESIS_HASH,
    AccessAction,
    AccessLogEntry,
    ChainCheck,
    chain,
    check_entries,
)


def _entries(n: int) -> list[AccessLogEntry]:
    raw = [
        AccessLogEntry(
            id=f"e{i}",
            time_us=1_700_000_000_000_000 + i,
            agency_id="agency-a",
            agency_name="A",
            client_id="c",
            action=AccessAction.READ,
            purpose="p.q",
            legal_basis="law",
            fields=("full_name",),
            subject="ab" * 32,
            sealed_personal_id="k:xyz",
        )
        for i in range(n)
    ]
    return chain(raw, 0, GENESIS_HASH)


def _check(entries: list[AccessLogEntry]) -> ChainCheck:
    return check_entries(ChainCheck(), entries)


def test_an_intact_chain_verifies():
    check = _check(_entries(5))
    assert check.intact and check.checked == 5


def test_an_altered_field_is_found():
    entries = _entries(5)
    entries[2] = replace(entries[2], fields=("full_name", "date_of_birth"))
    check = _check(entries)
    assert check.first_broken == 3 and "altered" in check.detail


def test_a_deleted_entry_is_found():
    entries = _entries(5)
    del entries[1]
    check = _check(entries)
    assert check.first_broken == 3 and "gap" in check.detail


def test_a_rehashed_entry_breaks_the_next_link():
    entries = _entries(5)
    forged = replace(entries[1], agency_id="agency-b", entry_hash="")
    from lienthong_registry.domain.access_log import entry_hash

    entries[1] = replace(forged, entry_hash=entry_hash(forged.previous_hash, forged))
    check = _check(entries)
    assert check.first_broken == 3 and "previous-hash" in check.detail


def test_the_hashed_bytes_are_every_column_but_the_hash_as_sorted_json():
    # The chain hashes an explicit list of columns (fast); it must equal the generic form over the dataclass,
    # so a column added later cannot silently stay outside the hash.
    import json
    from dataclasses import fields

    from lienthong_registry.domain.access_log import canonical_content

    entry = replace(_entries(3)[2], fields=("full_name", "sex"), legal_basis="Luật Căn cước")
    generic = {f.name: getattr(entry, f.name) for f in fields(entry) if f.name != "entry_hash"}
    generic["action"], generic["fields"] = int(entry.action), list(entry.fields)
    expected = json.dumps(generic, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    assert canonical_content(entry) == expected
