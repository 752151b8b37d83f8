"""Attachment records (their content is in :mod:`.blobs`)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.documents import Attachment
from ..domain.signatures import SignatureCheck, SignatureState
from .tables import attachment_chunks
from .tables import attachments as t


def signature_json(check: SignatureCheck) -> str:
    data = asdict(check)
    data["signing_time"] = check.signing_time.isoformat() if check.signing_time else None
    return json.dumps(data, ensure_ascii=False)


def signature_of(text: str) -> SignatureCheck:
    data = json.loads(text)
    data["state"] = SignatureState(data["state"])
    data["signing_time"] = datetime.fromisoformat(data["signing_time"]) if data["signing_time"] else None
    return SignatureCheck(**data)


def attachment_from_row(row: Any) -> Attachment:
    return Attachment(
        id=row.id,
        agency_id=row.agency_id,
        file_name=row.file_name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        signature=signature_of(row.signature),
        document_id=row.document_id,
    )


class AttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, attachment: Attachment, chunks: int, now: datetime) -> None:
        await self.session.execute(
            insert(t).values(
                id=attachment.id,
                agency_id=attachment.agency_id,
                document_id=attachment.document_id,
                file_name=attachment.file_name,
                content_type=attachment.content_type,
                size=attachment.size,
                sha256=attachment.sha256,
                chunks=chunks,
                signature=signature_json(attachment.signature),
                created_at=now,
            )
        )

    async def set_signature(self, attachment_id: str, check: SignatureCheck) -> None:
        await self.session.execute(
            update(t).where(t.c.id == attachment_id).values(signature=signature_json(check))
        )

    async def get(self, attachment_id: str) -> tuple[Attachment, int] | None:
        row = (await self.session.execute(select(t).where(t.c.id == attachment_id))).first()
        return (attachment_from_row(row), row.chunks) if row else None

    async def unsent(self, agency_id: str, ids: list[str]) -> list[Attachment]:
        """The caller's attachments among ``ids`` not yet part of a document, locked for binding."""
        query = (
            select(t)
            .where(t.c.id.in_(ids), t.c.agency_id == agency_id, t.c.document_id.is_(None))
            .with_for_update()
        )
        found = {row.id: attachment_from_row(row) for row in (await self.session.execute(query)).all()}
        return [found[i] for i in ids if i in found]

    async def bind(self, ids: list[str], document_id: str) -> None:
        await self.session.execute(update(t).where(t.c.id.in_(ids)).values(document_id=document_id))

    async def purge_unsent(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` attachments never sent and created before ``before`` (content and record)."""
        query = select(t.c.id).where(t.c.document_id.is_(None), t.c.created_at < before).limit(limit)
        ids = list((await self.session.execute(query)).scalars())
        if ids:
            await self.session.execute(
                delete(attachment_chunks).where(attachment_chunks.c.attachment_id.in_(ids))
            )
            await self.session.execute(delete(t).where(t.c.id.in_(ids)))
        return len(ids)

    async def of_documents(self, document_ids: list[str]) -> dict[str, list[Attachment]]:
        rows = (
            await self.session.execute(
                select(t).where(t.c.document_id.in_(document_ids)).order_by(t.c.created_at, t.c.id)
            )
        ).all()
        out: dict[str, list[Attachment]] = {}
        for row in rows:
            out.setdefault(row.document_id, []).append(attachment_from_row(row))
        return out
