"""Personal data at rest: what the SQL repositories write for a notification or a contact holds no clear personal
data, opens only under notify's keys and only for the row it was sealed for (no database needed)."""

import dataclasses
import os
from datetime import UTC, datetime

import pytest

from lienthong_notify.adapters.contact_store import ContactSeal
from lienthong_notify.adapters.personal_fields import PersonalFields
from lienthong_notify.domain.channels import Channel, Status
from lienthong_notify.domain.contacts import Contact
from lienthong_notify.domain.notifications import Notification
from lienthong_runtime.crypto import BlindIndex, Keyring
from lienthong_runtime.ids import new_id

RING = Keyring({"k1": os.urandom(32)})
INDEX = BlindIndex(os.urandom(32))


def notification() -> Notification:
    return Notification(
        new_id(), "agency-a", Channel.EMAIL, "t", 1, "an.nguyen@example.vn", "ref", Status.CREATED,
        "Chào Nguyễn Văn An", "Số CCCD 079301123456", None, "", False, "", 0, "", datetime.now(UTC), None, None,
    )  # fmt: skip


def test_a_notification_row_holds_its_recipient_subject_and_body_only_sealed():
    n, fields = notification(), PersonalFields(RING, INDEX)
    row = fields.seal(n)
    stored = repr(row).encode() + row["sealed"]
    for clear in (n.recipient, "an.nguyen", "Nguyễn Văn An".encode().decode(), "079301123456"):
        assert clear.encode() not in stored
    assert (row["recipient"], row["subject"], row["body"], row["key_id"]) == ("", "", "", "k1")
    assert (
        row["recipient_index"]
        == fields.recipient_index(n.recipient)
        != fields.recipient_index("x@example.vn")
    )
    opened = fields.open({**row, "id": n.id})
    assert opened == {"recipient": n.recipient, "subject": n.subject, "body": n.body}
    with pytest.raises(Exception):  # sealed for another row: does not open
        fields.open({**row, "id": new_id()})


def test_a_contact_is_found_by_a_blind_index_and_sealed_to_its_row():
    seal = ContactSeal(RING, INDEX)
    key = seal.key(" 079301123456 ")
    assert key == seal.key("079301123456") and len(key) == 32 and b"079301123456" not in key
    contact = Contact("dan@example.vn", "+84912345678")
    key_id, sealed = seal.seal(key, contact)
    assert b"dan@example.vn" not in sealed and b"912345678" not in sealed
    assert seal.open(key, key_id, sealed) == contact
    with pytest.raises(Exception):
        seal.open(seal.key("001199000777"), key_id, sealed)
    other_keys = ContactSeal(Keyring({"k1": os.urandom(32)}), INDEX)
    with pytest.raises(Exception):
        other_keys.open(key, key_id, sealed)


def test_rows_written_before_sealing_are_still_read():
    n = notification()
    legacy = {**dataclasses.asdict(n), "sealed": None, "key_id": None}
    assert PersonalFields(RING).open(legacy)["recipient"] == n.recipient
