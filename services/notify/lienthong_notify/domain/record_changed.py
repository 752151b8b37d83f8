"""The e-mail that tells a citizen their registry record changed (built-in Vietnamese text).

The registry event carries only field names, never values; the message names the changed fields in Vietnamese
and asks the citizen to contact the registry if they did not expect the change. It never contains the personal ID.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .channels import Channel
from .templates import TemplateVersion, placeholders

TEMPLATE_ID = "builtin-citizen-record-changed"
TEMPLATE_NAME = "citizen_record_changed"

SUBJECT = "Hồ sơ dân cư của Quý công dân vừa được cập nhật"
BODY = (
    "Kính gửi Quý công dân,\n\n"
    "Hồ sơ của Quý công dân trong Cơ sở dữ liệu quốc gia về dân cư vừa được cập nhật "
    "(phiên bản ((version))).\n"
    "Thông tin đã thay đổi: ((changed_fields)).\n"
    "Căn cứ cập nhật: ((legal_reason))\n\n"
    "Nếu Quý công dân không yêu cầu hoặc không mong đợi thay đổi này, vui lòng liên hệ cơ quan quản lý "
    "dân cư nơi cư trú để được kiểm tra.\n\n"
    "Đây là thư tự động, vui lòng không trả lời."
)

#: Vietnamese names of the registry's disclosable fields; an unknown name is shown as it is.
FIELD_LABELS = {
    "full_name": "họ và tên",
    "date_of_birth": "ngày sinh",
    "sex": "giới tính",
    "nationality": "quốc tịch",
    "place_of_birth": "nơi sinh",
    "permanent_address": "nơi thường trú",
    "current_address": "nơi ở hiện tại",
    "household_id": "mã hộ gia đình",
    "household_relation": "quan hệ với chủ hộ",
    "life_status": "tình trạng",
    "date_of_death": "ngày mất",
}


def field_list(names: Sequence[str]) -> str:
    """``họ và tên, nơi thường trú`` for ``["full_name", "permanent_address"]``."""
    return ", ".join(FIELD_LABELS.get(name, name) for name in names) or "không rõ"


def values(version: int, changed_fields: Sequence[str], legal_reason: str) -> dict[str, str]:
    """Personalisation of :func:`template`."""
    return {
        "version": str(version),
        "changed_fields": field_list(changed_fields),
        "legal_reason": legal_reason.strip() or "không nêu",
    }


def template(now: datetime) -> TemplateVersion:
    """The built-in e-mail template. It belongs to the platform (agency ``""``), not to the agency that changed
    the record: the citizen's address came from identity and is not disclosed to that agency."""
    return TemplateVersion(
        id=TEMPLATE_ID,
        agency_id="",
        channel=Channel.EMAIL,
        name=TEMPLATE_NAME,
        subject=SUBJECT,
        body=BODY,
        version=1,
        create_time=now,
        update_time=now,
        placeholders=placeholders(SUBJECT, BODY),
    )
