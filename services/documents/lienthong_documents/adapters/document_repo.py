"""Documents, their recipients, status history, the inbox feed and the access log in the database."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.documents import (
    Confidentiality,
    Document,
    DuplicateKey,
    Hop,
    Metadata,
    Recipient,
    Relation,
    Urgency,
)
from ..domain.status import Recall, Status
from .attachment_repo import AttachmentRepository
from .tables import access_log, documents, inbox_events, recipients, status_history


def _recipient(row: Any) -> Recipient:
    return Recipient(
        document_id=row.document_id,
        agency_id=row.agency_id,
        code=row.code,
        display_name=row.display_name,
        status=Status(row.status),
        status_time=row.status_time,
        recall=Recall(row.recall),
    )


def _document(row: Any) -> Document:
    return Document(
        id=row.id,
        sender_agency_id=row.sender_agency_id,
        sender_code=row.sender_code,
        sender_name=row.sender_name,
        metadata=Metadata(
            number_symbol=row.number_symbol,
            document_type=row.document_type,
            issue_place=row.issue_place,
            issue_date=row.issue_date,
            summary=row.summary,
            signer_name=row.signer_name,
            signer_title=row.signer_title,
            urgency=Urgency(row.urgency),
            confidentiality=Confidentiality(row.confidentiality),
        ),
        send_time=row.send_time,
        idempotency_key=row.idempotency_key,
        request_hash=row.request_hash,
        related_document_id=row.related_document_id,
        relation=Relation(row.relation),
        recall_time=row.recall_time,
        recall_reason=row.recall_reason,
        replaced_by=row.replaced_by,
        trace=[Hop(code, datetime.fromisoformat(at)) for code, at in json.loads(row.trace)],
    )


class DocumentRepository:
    def __init__(self, session: AsyncSession, attachments: AttachmentRepository) -> None:
        self.session = session
        self.attachments = attachments

    async def add(self, doc: Document) -> None:
        m = doc.metadata
        try:
            await self.session.execute(
                insert(documents).values(
                    id=doc.id,
                    sender_agency_id=doc.sender_agency_id,
                    sender_code=doc.sender_code,
                    sender_name=doc.sender_name,
                    number_symbol=m.number_symbol,
                    document_type=m.document_type,
                    issue_place=m.issue_place,
                    issue_date=m.issue_date,
                    summary=m.summary,
                    signer_name=m.signer_name,
                    signer_title=m.signer_title,
                    urgency=m.urgency.value,
                    confidentiality=m.confidentiality.value,
                    idempotency_key=doc.idempotency_key,
                    request_hash=doc.request_hash,
                    related_document_id=doc.related_document_id,
                    relation=doc.relation.value,
                    recall_time=None,
                    recall_reason="",
                    replaced_by="",
                    trace=json.dumps([[h.code, h.time.isoformat()] for h in doc.trace]),
                    send_time=doc.send_time,
                )
            )
        except IntegrityError:  # the sender's idempotency key, taken by a concurrent send
            raise DuplicateKey("idempotency_key") from None
        # One statement per table for all recipients (an executemany), not three per recipient.
        await self.session.execute(
            insert(recipients),
            [
                {
                    "document_id": doc.id,
                    "agency_id": r.agency_id,
                    "code": r.code,
                    "display_name": r.display_name,
                    "status": r.status.value,
                    "status_time": r.status_time,
                    "recall": r.recall.value,
                    "send_time": doc.send_time,
                    "urgency": m.urgency.value,
                    "sender_code": doc.sender_code,
                }
                for r in doc.recipients
            ],
        )
        await self.session.execute(
            insert(status_history),
            [
                {
                    "document_id": r.document_id,
                    "agency_id": r.agency_id,
                    "status": r.status.value,
                    "recall": r.recall.value,
                    "reason": "",
                    "changed_at": r.status_time,
                }
                for r in doc.recipients
            ],
        )
        await self.session.execute(
            insert(inbox_events),
            [
                {
                    "agency_id": r.agency_id,
                    "document_id": doc.id,
                    "kind": "ARRIVED",
                    "created_at": doc.send_time,
                }
                for r in doc.recipients
            ],
        )

    async def _complete(self, docs: list[Document]) -> list[Document]:
        if not docs:
            return docs
        ids = [d.id for d in docs]
        rows = (
            await self.session.execute(
                select(recipients).where(recipients.c.document_id.in_(ids)).order_by(recipients.c.code)
            )
        ).all()
        by_doc: dict[str, list[Recipient]] = {}
        for row in rows:
            by_doc.setdefault(row.document_id, []).append(_recipient(row))
        files = await self.attachments.of_documents(ids)
        for d in docs:
            d.recipients.extend(by_doc.get(d.id, []))
            d.attachments.extend(files.get(d.id, []))
        return docs

    async def get(self, document_id: str, *, for_update: bool = False) -> Document | None:
        query = select(documents).where(documents.c.id == document_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return (await self._complete([_document(row)]))[0] if row else None

    async def by_idempotency_key(self, agency_id: str, key: str) -> Document | None:
        query = select(documents.c.id).where(
            documents.c.sender_agency_id == agency_id, documents.c.idempotency_key == key
        )
        found = (await self.session.execute(query)).scalar()
        return await self.get(found) if found else None

    async def mark_recalled(self, document_id: str, at: datetime, reason: str) -> None:
        await self.session.execute(
            update(documents)
            .where(documents.c.id == document_id)
            .values(recall_time=at, recall_reason=reason)
        )

    async def mark_replaced(self, document_id: str, by: str) -> None:
        await self.session.execute(
            update(documents).where(documents.c.id == document_id).values(replaced_by=by)
        )

    async def recipient(self, document_id: str, agency_id: str) -> Recipient | None:
        query = (
            select(recipients)
            .where(recipients.c.document_id == document_id, recipients.c.agency_id == agency_id)
            .with_for_update()
        )
        row = (await self.session.execute(query)).first()
        return _recipient(row) if row else None

    async def save_recipient(self, r: Recipient, reason: str) -> None:
        await self.session.execute(
            update(recipients)
            .where(recipients.c.document_id == r.document_id, recipients.c.agency_id == r.agency_id)
            .values(status=r.status.value, status_time=r.status_time, recall=r.recall.value)
        )
        await self.add_history(r, reason)

    async def add_history(self, r: Recipient, reason: str) -> None:
        await self.session.execute(
            insert(status_history).values(
                document_id=r.document_id,
                agency_id=r.agency_id,
                status=r.status.value,
                recall=r.recall.value,
                reason=reason,
                changed_at=r.status_time,
            )
        )

    async def history(self, document_id: str) -> list[Any]:
        query = (
            select(status_history)
            .where(status_history.c.document_id == document_id)
            .order_by(status_history.c.id)
        )
        return list((await self.session.execute(query)).all())

    async def add_inbox_event(self, agency_id: str, document_id: str, kind: str, at: datetime) -> None:
        await self.session.execute(
            insert(inbox_events).values(
                agency_id=agency_id, document_id=document_id, kind=kind, created_at=at
            )
        )

    async def inbox_events_after(self, agency_id: str, cursor: int, limit: int) -> list[Any]:
        query = (
            select(inbox_events)
            .where(inbox_events.c.agency_id == agency_id, inbox_events.c.seq > cursor)
            .order_by(inbox_events.c.seq)
            .limit(limit)
        )
        return list((await self.session.execute(query)).all())

    async def inbox(self, agency_id: str, filters: dict[str, Any], size: int, after: Any) -> list[Document]:
        r = recipients
        query = select(r.c.document_id).where(r.c.agency_id == agency_id)
        if filters.get("status") is not None:
            query = query.where(r.c.status == filters["status"].value)
        if filters.get("sender_code"):
            query = query.where(r.c.sender_code == filters["sender_code"])
        if filters.get("urgency") is not None:
            query = query.where(r.c.urgency == filters["urgency"].value)
        if filters.get("start"):
            query = query.where(r.c.send_time >= filters["start"])
        if filters.get("end"):
            query = query.where(r.c.send_time < filters["end"])
        if after:
            query = query.where(
                or_(r.c.send_time < after[0], and_(r.c.send_time == after[0], r.c.document_id < after[1]))
            )
        query = query.order_by(r.c.send_time.desc(), r.c.document_id.desc()).limit(size + 1)
        ids = list((await self.session.execute(query)).scalars())
        return await self._by_ids(ids)

    async def sent(self, agency_id: str, size: int, after: Any) -> list[Document]:
        d = documents
        query = select(d.c.id).where(d.c.sender_agency_id == agency_id)
        if after:
            query = query.where(
                or_(d.c.send_time < after[0], and_(d.c.send_time == after[0], d.c.id < after[1]))
            )
        query = query.order_by(d.c.send_time.desc(), d.c.id.desc()).limit(size + 1)
        return await self._by_ids(list((await self.session.execute(query)).scalars()))

    async def _by_ids(self, ids: list[str]) -> list[Document]:
        if not ids:
            return []
        rows = (await self.session.execute(select(documents).where(documents.c.id.in_(ids)))).all()
        order = {doc_id: i for i, doc_id in enumerate(ids)}
        docs = sorted((_document(row) for row in rows), key=lambda doc: order[doc.id])
        return await self._complete(docs)

    async def log_access(
        self, document_id: str, agency_id: str, code: str, client_id: str, action: str, at: datetime
    ) -> None:
        await self.session.execute(
            insert(access_log).values(
                document_id=document_id,
                agency_id=agency_id,
                agency_code=code,
                client_id=client_id[:128],
                action=action,
                at=at,
            )
        )

    async def accesses(self, document_id: str, size: int, before: int) -> list[Any]:
        query = select(access_log).where(access_log.c.document_id == document_id)
        if before:
            query = query.where(access_log.c.id < before)
        return list(
            (await self.session.execute(query.order_by(access_log.c.id.desc()).limit(size + 1))).all()
        )
