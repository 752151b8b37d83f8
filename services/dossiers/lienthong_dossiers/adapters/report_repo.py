"""The on-time report and the late list in SQL: one aggregate over the part rows (figures their history set), and
the step each late part waited in, from its history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.calendar import end_of_day
from ..domain.dossiers import PartState
from ..domain.report import LateRow, ReportQuery, ReportRow
from ..handlers.ports import ReportRepository
from .tables import apologies, dossiers, history, parts

PAUSED = [PartState.AWAITING_SUPPLEMENT.name, PartState.AWAITING_PAYMENT.name]


def _late(today: date):  # type: ignore[no-untyped-def]
    done_late = and_(parts.c.completed_on.is_not(None), parts.c.completed_on > parts.c.due_date)
    open_late = and_(parts.c.completed_on.is_(None), parts.c.state.not_in(PAUSED), parts.c.due_date < today)
    return or_(done_late, open_late)


class SqlReportRepository(ReportRepository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def on_time(self, query: ReportQuery) -> Sequence[ReportRow]:
        on_time = and_(parts.c.completed_on.is_not(None), parts.c.completed_on <= parts.c.due_date)
        q = (
            select(
                parts.c.agency_id,
                parts.c.procedure_code,
                parts.c.period,
                func.count().label("received"),
                func.sum(case((on_time, 1), else_=0)).label("on_time"),
                func.sum(case((_late(query.today), 1), else_=0)).label("late"),
                func.avg(parts.c.working_days_used).label("average"),
            )
            .where(parts.c.received_on >= query.start, parts.c.received_on <= query.end)
            .group_by(parts.c.agency_id, parts.c.procedure_code, parts.c.period)
            .order_by(parts.c.agency_id, parts.c.procedure_code, parts.c.period)
        )
        if query.agency_id:
            q = q.where(parts.c.agency_id == query.agency_id)
        if query.procedure_code:
            q = q.where(parts.c.procedure_code == query.procedure_code)
        return [
            ReportRow(
                r.agency_id,
                r.procedure_code,
                r.period,
                int(r.received),
                int(r.on_time or 0),
                int(r.late or 0),
                round(float(r.average or 0), 2),
            )
            for r in (await self.session.execute(q)).all()
        ]

    async def late(
        self, agency_id: str, today: date, after: tuple[str, str] | None, limit: int
    ) -> Sequence[LateRow]:
        q = (
            select(
                parts.c.id,
                parts.c.dossier_id,
                parts.c.agency_id,
                parts.c.procedure_code,
                parts.c.due_date,
                parts.c.completed_on,
                parts.c.officer_id,
                dossiers.c.code,
            )
            .join(dossiers, dossiers.c.id == parts.c.dossier_id)
            .where(_late(today))
        )
        if agency_id:
            q = q.where(parts.c.agency_id == agency_id)
        if after is not None:
            due = date.fromisoformat(after[0])
            q = q.where(or_(parts.c.due_date > due, and_(parts.c.due_date == due, parts.c.id > after[1])))
        rows = (await self.session.execute(q.order_by(parts.c.due_date, parts.c.id).limit(limit))).all()
        waited: dict[str, str] = {}
        promised: dict[str, date | None] = {}
        if rows:
            for a in (
                await self.session.execute(
                    select(apologies.c.part_id, apologies.c.new_appointment_date)
                    .where(apologies.c.part_id.in_([r.id for r in rows]))
                    .order_by(apologies.c.id)
                )
            ).all():
                promised[a.part_id] = a.new_appointment_date
            entries = (
                await self.session.execute(
                    select(history.c.part_id, history.c.state, history.c.time)
                    .where(history.c.part_id.in_([r.id for r in rows]))
                    .order_by(history.c.id)
                )
            ).all()
            deadline = {r.id: end_of_day(r.due_date) for r in rows}
            for e in entries:
                if e.time <= deadline[e.part_id]:
                    waited[e.part_id] = e.state
        return [
            LateRow(
                r.dossier_id,
                r.code,
                r.id,
                r.agency_id,
                r.procedure_code,
                r.due_date,
                PartState[waited.get(r.id, PartState.RECEIVED.name)],
                r.officer_id,
                r.completed_on is not None,
                promised.get(r.id),
            )
            for r in rows
        ]
