"""Time-ordered ids (UUIDv7, ``lienthong_runtime.ids``)."""

from __future__ import annotations

import uuid

from lienthong_runtime.ids import new_id, uuid7


def test_layout_is_rfc_9562_version_7() -> None:
    value = uuid7(1_733_400_000_123)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert int(value.hex[:12], 16) == 1_733_400_000_123


def test_ids_sort_by_creation_time_and_do_not_repeat() -> None:
    ids = [uuid7(ms).hex for ms in range(1_733_400_000_000, 1_733_400_000_200)]
    assert ids == sorted(ids)
    many = {new_id() for _ in range(10_000)}
    assert len(many) == 10_000
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in list(many)[:10])


def test_new_id_is_the_text_of_a_version_7_uuid() -> None:
    for text in (new_id() for _ in range(1000)):
        value = uuid.UUID(hex=text)
        assert value.hex == text and value.version == 7 and value.variant == uuid.RFC_4122
