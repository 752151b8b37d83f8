"""The e-mail that tells an agency an urgent official document ("hỏa tốc" or "thượng khẩn") has arrived in its
document inbox (built-in Vietnamese text).

The documents event carries the number and symbol, the urgency and the sender's name, never the summary or the
attachments: the message points the agency to its inbox.
"""

from __future__ import annotations

from datetime import datetime

from .channels import Channel
from .templates import TemplateVersion, placeholders

TEMPLATE_ID = "builtin-urgent-document"
TEMPLATE_NAME = "urgent_document_arrived"
#: Urgencies (names of lienthong.documents.v1.Urgency) that are e-mailed, with their Vietnamese labels.
ALERTING = {"URGENCY_EXPRESS": "HỎA TỐC", "URGENCY_TOP_URGENT": "THƯỢNG KHẨN"}

SUBJECT = "[((urgency))] Văn bản ((number_symbol)) từ ((sender_name))"
BODY = (
    "Kính gửi ((recipient_name)),\n\n"
    "Hệ thống liên thông văn bản vừa chuyển đến cơ quan một văn bản có độ khẩn ((urgency)):\n"
    "Số, ký hiệu: ((number_symbol))\n"
    "Cơ quan gửi: ((sender_name)) (mã định danh ((sender_code)))\n"
    "Thời gian gửi: ((send_time))\n\n"
    "Đề nghị cơ quan kiểm tra hộp văn bản đến và xử lý kịp thời.\n\n"
    "Đây là thư tự động, vui lòng không trả lời."
)


def template(now: datetime) -> TemplateVersion:
    """The built-in template; it belongs to the platform (agency ``""``), like the other system notices."""
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
