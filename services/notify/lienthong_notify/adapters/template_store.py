"""Templates and their versions in the database, always scoped to one agency."""

from __future__ import annotations

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ..domain.channels import Channel
from ..domain.templates import TemplateVersion, placeholders
from ..handlers.ports import Conflict, TemplateRepository
from .tables import template_versions, templates

_COLUMNS = (
    templates.c.id,
    templates.c.agency_id,
    templates.c.channel,
    templates.c.create_time,
    template_versions.c.name,
    template_versions.c.subject,
    template_versions.c.body,
    template_versions.c.version,
    template_versions.c.create_time.label("update_time"),
)


def _from_row(row: object) -> TemplateVersion:
    m = row._mapping  # type: ignore[attr-defined]
    return TemplateVersion(
        id=m["id"],
        agency_id=m["agency_id"],
        channel=Channel(m["channel"]),
        name=m["name"],
        subject=m["subject"],
        body=m["body"],
        version=m["version"],
        create_time=m["create_time"],
        update_time=m["update_time"],
        placeholders=placeholders(m["subject"], m["body"]),
    )


class SqlTemplateRepository(TemplateRepository):
    """Templates and versions on one transaction's connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, t: TemplateVersion) -> None:
        """Store a new template with its first version; :class:`Conflict` when the name is taken."""
        try:
            await self._insert(t)
        except IntegrityError:
            raise Conflict("template name") from None
        await self.add_version(t)

    async def _insert(self, t: TemplateVersion) -> None:
        await self.conn.execute(
            insert(templates).values(
                id=t.id,
                agency_id=t.agency_id,
                channel=t.channel.value,
                name=t.name,
                latest_version=t.version,
                create_time=t.create_time,
            )
        )

    async def add_version(self, t: TemplateVersion) -> None:
        await self.conn.execute(
            insert(template_versions).values(
                template_id=t.id,
                version=t.version,
                name=t.name,
                subject=t.subject,
                body=t.body,
                create_time=t.update_time,
            )
        )

    async def bump(self, agency_id: str, template_id: str, expected: int, name: str) -> bool:
        """Move the latest version from ``expected`` to ``expected + 1``; False if another update won."""
        statement = (
            update(templates)
            .where(
                templates.c.id == template_id,
                templates.c.agency_id == agency_id,
                templates.c.latest_version == expected,
            )
            .values(latest_version=expected + 1, name=name)
        )
        try:
            result = await self.conn.execute(statement)
        except IntegrityError:
            raise Conflict("template name") from None
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get(self, agency_id: str, template_id: str, version: int = 0) -> TemplateVersion | None:
        """A version of one of the agency's templates (0 = latest), or None (also for other agencies' ids)."""
        wanted = version if version > 0 else templates.c.latest_version
        query = (
            select(*_COLUMNS)
            .join(
                template_versions,
                and_(
                    template_versions.c.template_id == templates.c.id, template_versions.c.version == wanted
                ),
            )
            .where(templates.c.id == template_id, templates.c.agency_id == agency_id)
        )
        row = (await self.conn.execute(query)).first()
        return _from_row(row) if row else None

    async def find_by_name(self, agency_id: str, channel: Channel, name: str) -> TemplateVersion | None:
        query = (
            select(*_COLUMNS)
            .join(
                template_versions,
                and_(
                    template_versions.c.template_id == templates.c.id,
                    template_versions.c.version == templates.c.latest_version,
                ),
            )
            .where(
                templates.c.agency_id == agency_id,
                templates.c.channel == channel.value,
                templates.c.name == name,
            )
        )
        row = (await self.conn.execute(query)).first()
        return _from_row(row) if row else None

    async def list_latest(
        self,
        agency_id: str,
        channel: Channel | None,
        after: tuple[str, str] | None,
        limit: int,
    ) -> list[TemplateVersion]:
        """Latest versions ordered by (name, id), after the keyset ``after``."""
        query = (
            select(*_COLUMNS)
            .join(
                template_versions,
                and_(
                    template_versions.c.template_id == templates.c.id,
                    template_versions.c.version == templates.c.latest_version,
                ),
            )
            .where(templates.c.agency_id == agency_id)
        )
        if channel is not None:
            query = query.where(templates.c.channel == channel.value)
        if after is not None:
            name, last_id = after
            query = query.where(
                (templates.c.name > name) | and_(templates.c.name == name, templates.c.id > last_id)
            )
        query = query.order_by(templates.c.name, templates.c.id).limit(limit)
        return [_from_row(r) for r in (await self.conn.execute(query)).all()]

    async def get_latest_many(self, template_ids: set[str]) -> dict[str, TemplateVersion]:
        """Latest versions of the given templates (any agency: callers check the agency)."""
        ids = [i for i in template_ids if i]
        if not ids:
            return {}
        query = (
            select(*_COLUMNS)
            .join(
                template_versions,
                and_(
                    template_versions.c.template_id == templates.c.id,
                    template_versions.c.version == templates.c.latest_version,
                ),
            )
            .where(templates.c.id.in_(ids))
        )
        return {t.id: t for t in map(_from_row, (await self.conn.execute(query)).all())}
