"""Proto <-> domain conversions of the dossiers service."""

from __future__ import annotations

from datetime import date

from lienthong.common.v1 import date_pb2
from lienthong.dossiers.v1 import dossiers_pb2 as pb
from lienthong_runtime.errors import invalid
from lienthong_runtime.timestamps import optional_timestamp as ts

from .domain.attachments import Attachment
from .domain.dossiers import Dossier, Part, PartState
from .domain.procedures import Component, Kind, Level, PartSpec, Procedure, Spec
from .domain.report import LateRow, ReportRow


def pb_date(day: date | None) -> date_pb2.Date | None:
    return date_pb2.Date(year=day.year, month=day.month, day=day.day) if day else None


def pb_dates(days: list[date]) -> list[date_pb2.Date]:
    return [date_pb2.Date(year=day.year, month=day.month, day=day.day) for day in days]


def date_of(value: date_pb2.Date, field: str, *, required: bool = True) -> date | None:
    if not (value.year or value.month or value.day):
        if required:
            raise invalid(field, "is required")
        return None
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise invalid(field, "is not a calendar date") from None


def spec_of(spec: pb.ProcedureSpec) -> Spec:
    try:
        level = Level(spec.level)
    except ValueError:
        raise invalid("spec.level", "is required") from None
    components = []
    for i, c in enumerate(spec.components):
        try:
            kind = Kind(c.kind)
        except ValueError:
            raise invalid(f"spec.components[{i}].kind", "is required") from None
        components.append(Component(c.name, c.label, kind, c.required))
    return Spec(
        spec.name,
        level,
        spec.province_code,
        tuple(components),
        tuple(PartSpec(p.agency_id, p.title, p.processing_working_days) for p in spec.parts),
        spec.fee_vnd,
        spec.fee_before_processing,
        spec.electronic_result,
    )


def procedure(p: Procedure) -> pb.Procedure:
    s = p.spec
    return pb.Procedure(
        code=p.code,
        version=p.version,
        name=s.name,
        agency_id=p.agency_id,
        level=f"AGENCY_LEVEL_{s.level.name}",
        province_code=s.province_code,
        components=[
            pb.Component(
                name=c.name, label=c.label, kind=f"COMPONENT_KIND_{c.kind.name}", required=c.required
            )
            for c in s.components
        ],
        parts=[
            pb.ProcedurePart(agency_id=x.agency_id, title=x.title, processing_working_days=x.working_days)
            for x in s.parts
        ],
        fee_vnd=s.fee_vnd,
        fee_before_processing=s.fee_before_processing,
        electronic_result=s.electronic_result,
        publish_time=ts(p.publish_time),
    )


def state_of(value: int) -> PartState | None:
    if value == 0:
        return None
    try:
        return PartState(value)
    except ValueError:
        raise invalid("state", "is not a PartState") from None


def part(p: Part) -> pb.DossierPart:
    return pb.DossierPart(
        part_id=p.id,
        agency_id=p.agency_id,
        title=p.title,
        state=f"PART_STATE_{p.state.name}",
        processing_working_days=p.working_days,
        due_date=pb_date(p.due_date),
        officer_id=p.officer_id,
        reason=p.reason,
        result_document_id=p.result_document_id,
        history=[
            pb.HistoryEntry(
                state=f"PART_STATE_{h.state.name}",
                actor=h.actor,
                agency_id=h.agency_id,
                time=ts(h.time),
                reason=h.reason,
            )
            for h in p.history
        ],
        apologies=[
            pb.ApologyLetter(
                text=a.text,
                issue_time=ts(a.time),
                new_appointment_date=pb_date(a.new_date),
            )
            for a in p.apologies
        ],
        receive_time=ts(p.received_at),
        complete_time=ts(p.completed_at),
    )


def dossier(d: Dossier) -> pb.Dossier:
    return pb.Dossier(
        id=d.id,
        code=d.code,
        procedure_code=d.procedure_code,
        procedure_version=d.procedure_version,
        state=f"DOSSIER_STATE_{d.state.name}",
        form=d.form,
        fee_vnd=d.fee_vnd,
        payment_reference=d.payment_reference,
        fee_paid=d.fee_paid,
        parts=[part(p) for p in d.parts],
        file_time=ts(d.file_time),
        complete_time=ts(d.complete_time),
    )


def report_row(r: ReportRow) -> pb.OnTimeRow:
    return pb.OnTimeRow(
        agency_id=r.agency_id,
        procedure_code=r.procedure_code,
        period=r.period,
        received=r.received,
        on_time=r.on_time,
        late=r.late,
        average_working_days=r.average_working_days,
    )


def late_row(r: LateRow) -> pb.LateDossier:
    return pb.LateDossier(
        dossier_id=r.dossier_id,
        code=r.code,
        part_id=r.part_id,
        agency_id=r.agency_id,
        procedure_code=r.procedure_code,
        due_date=pb_date(r.due_date),
        waited_in=f"PART_STATE_{r.waited_in.name}",
        officer_id=r.officer_id,
        completed=r.completed,
        new_appointment_date=pb_date(r.new_appointment_date),
    )


def attachment(a: Attachment) -> pb.DossierAttachment:
    return pb.DossierAttachment(
        attachment_id=a.id,
        file_name=a.file_name,
        content_type=a.content_type,
        size_bytes=a.size,
        sha256=a.sha256,
    )
