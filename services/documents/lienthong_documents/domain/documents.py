"""Official documents: the metadata of Decree 30/2020/NĐ-CP, attachments, recipients and relations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from lienthong_runtime.errors import FieldViolation, InvalidArgument
from lienthong_runtime.ids import new_id

from .signatures import SignatureCheck
from .status import Recall, Status

MAX_RECIPIENTS = 200
MAX_ATTACHMENTS = 50
#: Upper bounds of free-text metadata (characters).
LIMITS = {
    "number_symbol": 100,
    "document_type": 100,
    "issue_place": 100,
    "summary": 2000,
    "signer_name": 200,
    "signer_title": 200,
}


class Urgency(StrEnum):
    NORMAL = "NORMAL"  # thường
    URGENT = "URGENT"  # khẩn
    TOP_URGENT = "TOP_URGENT"  # thượng khẩn
    EXPRESS = "EXPRESS"  # hỏa tốc


#: Urgencies whose arrival notify e-mails to the recipient agency.
ALERTING = frozenset({Urgency.TOP_URGENT, Urgency.EXPRESS})


class Confidentiality(StrEnum):
    NORMAL = "NORMAL"
    CONFIDENTIAL = "CONFIDENTIAL"  # mật
    SECRET = "SECRET"  # tối mật
    TOP_SECRET = "TOP_SECRET"  # tuyệt mật


class Relation(StrEnum):
    NONE = ""
    REPLY = "REPLY"
    UPDATE = "UPDATE"
    REPLACE = "REPLACE"


@dataclass(frozen=True)
class Metadata:
    number_symbol: str
    document_type: str
    issue_place: str
    issue_date: date
    summary: str
    signer_name: str
    signer_title: str
    urgency: Urgency
    confidentiality: Confidentiality


def check_metadata(meta: Metadata) -> Metadata:
    """The metadata with text trimmed, or INVALID_ARGUMENT naming every bad field (``metadata.<field>``)."""
    values = {name: getattr(meta, name).strip() for name in LIMITS}
    bad: list[FieldViolation] = []
    for name in ("number_symbol", "document_type", "summary", "signer_name"):
        if not values[name]:
            bad.append(FieldViolation(f"metadata.{name}", "is required"))
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            bad.append(FieldViolation(f"metadata.{name}", f"has more than {limit} characters"))
    if bad:
        raise InvalidArgument("document metadata is incomplete or too long", field_violations=bad)
    return Metadata(
        **values,
        issue_date=meta.issue_date,
        urgency=meta.urgency,
        confidentiality=meta.confidentiality,
    )


@dataclass(frozen=True)
class Attachment:
    id: str
    agency_id: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    signature: SignatureCheck
    document_id: str | None = None


@dataclass(frozen=True)
class Recipient:
    document_id: str
    agency_id: str
    code: str
    display_name: str
    status: Status
    status_time: datetime
    recall: Recall = Recall.NONE


@dataclass(frozen=True)
class Hop:
    code: str
    time: datetime


@dataclass(frozen=True)
class Document:
    id: str
    sender_agency_id: str
    sender_code: str
    sender_name: str
    metadata: Metadata
    send_time: datetime
    idempotency_key: str
    request_hash: str
    related_document_id: str = ""
    relation: Relation = Relation.NONE
    recall_time: datetime | None = None
    recall_reason: str = ""
    replaced_by: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    trace: list[Hop] = field(default_factory=list)

    def visible_to(self, agency_id: str) -> bool:
        """Only the sender and the addressed recipients ever see a document."""
        return agency_id == self.sender_agency_id or any(r.agency_id == agency_id for r in self.recipients)

    def as_seen_by(self, agency_id: str) -> Document:
        """The sender sees every recipient; a recipient only itself."""
        if agency_id == self.sender_agency_id:
            return self
        mine = [r for r in self.recipients if r.agency_id == agency_id]
        return Document(**{**self.__dict__, "recipients": mine})


def new_document_id() -> str:
    return f"doc_{new_id()}"


def new_attachment_id() -> str:
    return f"att_{new_id()}"


class DuplicateKey(Exception):
    """A unique key already taken (an idempotency key, a directory code or agency): raised by repositories, so
    handlers can answer with the row that won without knowing the database's own error."""
