"""Conversions between the domain and the v1 messages (no logic)."""

from __future__ import annotations

from datetime import date
from typing import Any

from lienthong.common.v1 import date_pb2
from lienthong.documents.v1 import documents_pb2 as pb
from lienthong_runtime.errors import invalid
from lienthong_runtime.timestamps import optional_timestamp as ts

from .domain.directory import DirectoryAgency
from .domain.documents import Attachment, Confidentiality, Document, Metadata, Recipient, Relation, Urgency
from .domain.signatures import SignatureCheck
from .domain.status import Recall, Status


def directory_agency(a: DirectoryAgency, *, own: bool) -> pb.DirectoryAgency:
    return pb.DirectoryAgency(
        code=a.code,
        agency_id=a.agency_id,
        display_name=a.display_name,
        province_code=a.province_code,
        refuse_unsigned=a.policy.refuse_unsigned,
        refuse_invalid_signature=a.policy.refuse_invalid_signature,
        notification_email=a.notification_email if own else "",
        create_time=ts(a.created_at),
    )


def _enum(enum_cls: Any, prefix: str, value: int, field: str, *, required: bool = True) -> Any:
    name = pb.DESCRIPTOR.enum_types_by_name[prefix].values_by_number.get(value)
    if name is None or value == 0:
        if not required and value == 0:
            return None
        raise invalid(field, "is required" if value == 0 else "is not a known value")
    upper = "".join("_" + c if c.isupper() else c for c in prefix).lstrip("_").upper() + "_"
    return enum_cls[name.name.removeprefix(upper)]


def urgency_of(value: int, field: str = "metadata.urgency", required: bool = True) -> Urgency | None:
    return _enum(Urgency, "Urgency", value, field, required=required)  # type: ignore[no-any-return]


def status_of(value: int, field: str = "status", required: bool = True) -> Status | None:
    return _enum(Status, "ProcessingStatus", value, field, required=required)  # type: ignore[no-any-return]


def relation_of(value: int) -> Relation:
    return _enum(Relation, "Relation", value, "relation", required=False) or Relation.NONE  # type: ignore[no-any-return]


def metadata_of(m: pb.DocumentMetadata) -> Metadata:
    d = m.issue_date
    try:
        issued = date(d.year, d.month, d.day)
    except ValueError:
        raise invalid("metadata.issue_date", "is not a calendar date") from None
    return Metadata(
        number_symbol=m.number_symbol,
        document_type=m.document_type,
        issue_place=m.issue_place,
        issue_date=issued,
        summary=m.summary,
        signer_name=m.signer_name,
        signer_title=m.signer_title,
        urgency=urgency_of(m.urgency),  # type: ignore[arg-type]
        confidentiality=_enum(
            Confidentiality, "Confidentiality", m.confidentiality, "metadata.confidentiality"
        ),
    )


def metadata(m: Metadata) -> pb.DocumentMetadata:
    d = m.issue_date
    return pb.DocumentMetadata(
        number_symbol=m.number_symbol,
        document_type=m.document_type,
        issue_place=m.issue_place,
        issue_date=date_pb2.Date(year=d.year, month=d.month, day=d.day) if d else None,
        summary=m.summary,
        signer_name=m.signer_name,
        signer_title=m.signer_title,
        urgency=f"URGENCY_{m.urgency.value}",
        confidentiality=f"CONFIDENTIALITY_{m.confidentiality.value}",
    )


def signature(c: SignatureCheck) -> pb.SignatureCheck:
    return pb.SignatureCheck(
        state=f"SIGNATURE_STATE_{c.state.value}",
        signer=c.signer,
        certificate_subject=c.certificate_subject,
        certificate_issuer=c.certificate_issuer,
        certificate_serial=c.certificate_serial,
        certificate_sha256=c.certificate_sha256,
        signing_time=ts(c.signing_time),
        problem=c.problem,
        signature_count=c.signature_count,
    )


def attachment(a: Attachment) -> pb.Attachment:
    return pb.Attachment(
        attachment_id=a.id,
        file_name=a.file_name,
        content_type=a.content_type,
        size_bytes=a.size,
        sha256=a.sha256,
        signature=signature(a.signature),
    )


def status(s: Status) -> str:
    return f"PROCESSING_STATUS_{s.name}"


def recall(r: Recall | str) -> str:
    return f"RECALL_STATE_{Recall(r).value}"


def recipient(r: Recipient) -> pb.RecipientState:
    return pb.RecipientState(
        code=r.code,
        display_name=r.display_name,
        status=status(r.status),
        status_time=ts(r.status_time),
        recall_state=recall(r.recall),
    )


def document(d: Document) -> pb.Document:
    return pb.Document(
        document_id=d.id,
        sender_code=d.sender_code,
        sender_name=d.sender_name,
        metadata=metadata(d.metadata),
        attachments=[attachment(a) for a in d.attachments],
        recipients=[recipient(r) for r in d.recipients],
        send_time=ts(d.send_time),
        related_document_id=d.related_document_id,
        relation=f"RELATION_{d.relation.value or 'UNSPECIFIED'}",
        recall_time=ts(d.recall_time),
        recall_reason=d.recall_reason,
        replaced_by_document_id=d.replaced_by,
        trace=[pb.TraceHop(code=h.code, time=ts(h.time)) for h in d.trace],
    )


def history(r: Recipient, rows: list[Any]) -> pb.RecipientHistory:
    return pb.RecipientHistory(
        recipient=recipient(r),
        history=[
            pb.StatusChange(
                status=status(Status(h.status)),
                change_time=ts(h.changed_at),
                reason=h.reason,
                recall_state=recall(h.recall),
            )
            for h in rows
        ],
    )


def access(row: Any) -> pb.DocumentAccess:
    return pb.DocumentAccess(
        agency_code=row.agency_code, action=row.action, access_time=ts(row.at), client_id=row.client_id
    )
