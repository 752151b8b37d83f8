"""Procedures in SQL: one row per version, the version's rules as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.procedures import Component, Kind, Level, PartSpec, Procedure, Spec
from ..handlers.ports import ProcedureRepository
from .tables import procedures


def spec_json(spec: Spec) -> str:
    return json.dumps(
        {
            "level": spec.level.name,
            "province_code": spec.province_code,
            "components": [[c.name, c.label, c.kind.name, c.required] for c in spec.components],
            "parts": [[p.agency_id, p.title, p.working_days] for p in spec.parts],
            "fee_vnd": spec.fee_vnd,
            "fee_before_processing": spec.fee_before_processing,
            "electronic_result": spec.electronic_result,
        },
        ensure_ascii=False,
    )


def spec_of(name: str, text: str) -> Spec:
    data: dict[str, Any] = json.loads(text)
    return Spec(
        name,
        Level[data["level"]],
        data["province_code"],
        tuple(Component(n, label, Kind[k], bool(r)) for n, label, k, r in data["components"]),
        tuple(PartSpec(a, t, int(d)) for a, t, d in data["parts"]),
        int(data["fee_vnd"]),
        bool(data["fee_before_processing"]),
        bool(data["electronic_result"]),
    )


def _procedure(row: Any) -> Procedure:
    return Procedure(row.code, row.version, row.agency_id, spec_of(row.name, row.spec), row.publish_time)


class SqlProcedureRepository(ProcedureRepository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, procedure: Procedure) -> None:
        await self.session.execute(
            procedures.insert().values(
                code=procedure.code,
                version=procedure.version,
                agency_id=procedure.agency_id,
                name=procedure.spec.name,
                spec=spec_json(procedure.spec),
                publish_time=procedure.publish_time,
            )
        )

    async def get(self, code: str, version: int = 0) -> Procedure | None:
        query = select(procedures).where(procedures.c.code == code)
        if version:
            query = query.where(procedures.c.version == version)
        else:
            query = query.order_by(procedures.c.version.desc()).limit(1)
        row = (await self.session.execute(query)).first()
        return _procedure(row) if row else None

    async def list(self, agency_id: str, after: str, limit: int) -> Sequence[Procedure]:
        latest = (
            select(procedures.c.code, func.max(procedures.c.version).label("version"))
            .group_by(procedures.c.code)
            .subquery()
        )
        query = select(procedures).join(
            latest, (procedures.c.code == latest.c.code) & (procedures.c.version == latest.c.version)
        )
        if agency_id:
            query = query.where(procedures.c.agency_id == agency_id)
        if after:
            query = query.where(procedures.c.code > after)
        rows = (await self.session.execute(query.order_by(procedures.c.code).limit(limit))).all()
        return [_procedure(r) for r in rows]
