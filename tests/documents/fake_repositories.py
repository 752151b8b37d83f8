"""The in-memory repositories of ``tests/documents/fakes.py`` (the same interfaces as the SQL ones in
``lienthong_documents/adapters/``), over containers their unit of work owns."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from lienthong_documents.domain.directory import DirectoryAgency, KnownAgency, fold, newer
from lienthong_documents.domain.documents import Attachment, Document, DuplicateKey, Recipient
from lienthong_documents.domain.signatures import ReceivePolicy, SignatureCheck

#: The fake unit of work whose state these repositories share (``tests/documents/fakes.py``). Named, not imported:
#: fakes.py imports this module, and the import graph stays free of cycles (tools/import_cycles.py).
FakeDocumentsUnitOfWork = Any


class FakeDirectory:
    def __init__(self, uow: FakeDocumentsUnitOfWork) -> None:
        self.uow = uow

    def _entry(self, row: DirectoryAgency) -> DirectoryAgency:
        known = self.uow.known.get(row.agency_id)
        return replace(row, suspended=bool(known and known.suspended))

    async def add(self, agency: DirectoryAgency) -> None:
        if agency.code in self.uow.entries or any(
            e.agency_id == agency.agency_id for e in self.uow.entries.values()
        ):
            raise DuplicateKey("directory")
        self.uow.entries[agency.code] = agency

    async def set_policy(self, agency_id: str, policy: ReceivePolicy, email: str) -> None:
        for code, entry in list(self.uow.entries.items()):
            if entry.agency_id == agency_id:
                self.uow.entries[code] = replace(entry, policy=policy, notification_email=email)

    async def by_code(self, code: str) -> DirectoryAgency | None:
        row = self.uow.entries.get(code)
        return self._entry(row) if row else None

    async def by_agency_or_codes(self, agency_id: str, codes: list[str]) -> list[DirectoryAgency]:
        return [
            self._entry(e) for e in self.uow.entries.values() if e.agency_id == agency_id or e.code in codes
        ]

    async def by_agency(self, agency_id: str) -> DirectoryAgency | None:
        found = [e for e in self.uow.entries.values() if e.agency_id == agency_id]
        return self._entry(found[0]) if found else None

    async def search(
        self, query: str, code_prefix: str, province: str, size: int, after: str
    ) -> list[DirectoryAgency]:
        words = fold(query).split()
        rows = [
            self._entry(e)
            for code, e in sorted(self.uow.entries.items())
            if code > after
            and code.startswith(code_prefix)
            and (not province or e.province_code == province)
            and all(w in e.search_name for w in words)
        ]
        return rows[: size + 1]


class FakeIdentityAgencies:
    def __init__(self, rows: dict[str, KnownAgency]) -> None:
        self.rows = rows

    async def get(self, agency_id: str, *, for_update: bool = False) -> KnownAgency | None:
        return self.rows.get(agency_id)

    async def created(self, agency_id: str, name: str, kind: str, province: str, now: datetime) -> None:
        known = self.rows.get(agency_id)
        self.rows[agency_id] = KnownAgency(
            agency_id,
            name,
            kind,
            province,
            known.suspended if known else False,
            known.state_time if known else None,
        )

    async def suspension(self, agency_id: str, suspended: bool, at: datetime, now: datetime) -> bool:
        known = self.rows.get(agency_id)
        if known is not None and not newer(known.state_time, at):
            return False
        base = known or KnownAgency(agency_id, "", "", "", False, None)
        self.rows[agency_id] = replace(base, suspended=suspended, state_time=at)
        return True


class FakeAttachments:
    def __init__(self, uow: FakeDocumentsUnitOfWork) -> None:
        self.uow = uow

    async def add(self, attachment: Attachment, chunks: int, now: datetime) -> None:
        self.uow.files[attachment.id] = (attachment, chunks, now)

    async def set_signature(self, attachment_id: str, check: SignatureCheck) -> None:
        a, chunks, at = self.uow.files[attachment_id]
        self.uow.files[attachment_id] = (replace(a, signature=check), chunks, at)

    async def get(self, attachment_id: str) -> tuple[Attachment, int] | None:
        found = self.uow.files.get(attachment_id)
        return (found[0], found[1]) if found else None

    async def unsent(self, agency_id: str, ids: list[str]) -> list[Attachment]:
        return [
            self.uow.files[i][0]
            for i in ids
            if i in self.uow.files
            and self.uow.files[i][0].agency_id == agency_id
            and self.uow.files[i][0].document_id is None
        ]

    async def bind(self, ids: list[str], document_id: str) -> None:
        for i in ids:
            a, chunks, at = self.uow.files[i]
            self.uow.files[i] = (replace(a, document_id=document_id), chunks, at)

    async def purge_unsent(self, before: datetime, limit: int) -> int:
        gone = [i for i, (a, _, at) in self.uow.files.items() if a.document_id is None and at < before][
            :limit
        ]
        for i in gone:
            del self.uow.files[i]
            self.uow.chunks.pop(i, None)
        return len(gone)


class FakeDocuments:
    def __init__(self, uow: FakeDocumentsUnitOfWork) -> None:
        self.uow = uow

    def _complete(self, doc: Document) -> Document:
        rows = sorted((r for (d, _), r in self.uow.recipients.items() if d == doc.id), key=lambda r: r.code)
        files = [a for a, _, _ in self.uow.files.values() if a.document_id == doc.id]
        return replace(doc, recipients=rows, attachments=files, trace=list(doc.trace))

    async def add(self, doc: Document) -> None:
        if any(
            d.sender_agency_id == doc.sender_agency_id and d.idempotency_key == doc.idempotency_key
            for d in self.uow.docs.values()
        ):
            raise DuplicateKey("idempotency_key")
        self.uow.docs[doc.id] = replace(doc, recipients=[], attachments=[])
        for r in doc.recipients:
            self.uow.recipients[(doc.id, r.agency_id)] = r
            self.uow.history.append(SimpleNamespace(**vars(r), reason="", changed_at=r.status_time))
            await self.add_inbox_event(r.agency_id, doc.id, "ARRIVED", doc.send_time)

    async def get(self, document_id: str, *, for_update: bool = False) -> Document | None:
        doc = self.uow.docs.get(document_id)
        return self._complete(doc) if doc else None

    async def by_idempotency_key(self, agency_id: str, key: str) -> Document | None:
        for doc in self.uow.docs.values():
            if doc.sender_agency_id == agency_id and doc.idempotency_key == key:
                return self._complete(doc)
        return None

    async def mark_recalled(self, document_id: str, at: datetime, reason: str) -> None:
        self.uow.docs[document_id] = replace(self.uow.docs[document_id], recall_time=at, recall_reason=reason)

    async def mark_replaced(self, document_id: str, by: str) -> None:
        self.uow.docs[document_id] = replace(self.uow.docs[document_id], replaced_by=by)

    async def recipient(self, document_id: str, agency_id: str) -> Recipient | None:
        return self.uow.recipients.get((document_id, agency_id))

    async def save_recipient(self, r: Recipient, reason: str) -> None:
        self.uow.recipients[(r.document_id, r.agency_id)] = r
        self.uow.history.append(SimpleNamespace(**vars(r), reason=reason, changed_at=r.status_time))

    async def history(self, document_id: str) -> list[Any]:
        return [h for h in self.uow.history if h.document_id == document_id]

    async def add_inbox_event(self, agency_id: str, document_id: str, kind: str, at: datetime) -> None:
        seq = len(self.uow.inbox_events) + 1
        self.uow.inbox_events.append(
            SimpleNamespace(seq=seq, agency_id=agency_id, document_id=document_id, kind=kind)
        )

    async def inbox_events_after(self, agency_id: str, cursor: int, limit: int) -> list[Any]:
        return [e for e in self.uow.inbox_events if e.agency_id == agency_id and e.seq > cursor][:limit]

    def _newest_first(self, docs: list[Document], after: Any, size: int) -> list[Document]:
        ordered = sorted(docs, key=lambda d: (d.send_time, d.id), reverse=True)
        if after:
            ordered = [d for d in ordered if (d.send_time, d.id) < tuple(after)]
        return [self._complete(d) for d in ordered[: size + 1]]

    async def inbox(self, agency_id: str, filters: dict[str, Any], size: int, after: Any) -> list[Document]:
        mine = [self.uow.docs[d] for (d, a), r in self.uow.recipients.items() if a == agency_id]
        if filters.get("status") is not None:
            mine = [d for d in mine if self.uow.recipients[(d.id, agency_id)].status is filters["status"]]
        return self._newest_first(mine, after, size)

    async def sent(self, agency_id: str, size: int, after: Any) -> list[Document]:
        return self._newest_first(
            [d for d in self.uow.docs.values() if d.sender_agency_id == agency_id], after, size
        )

    async def log_access(
        self, document_id: str, agency_id: str, code: str, client_id: str, action: str, at: datetime
    ) -> None:
        self.uow.access_log.append(
            SimpleNamespace(
                id=len(self.uow.access_log) + 1,
                document_id=document_id,
                agency_id=agency_id,
                agency_code=code,
                client_id=client_id,
                action=action,
                at=at,
            )
        )

    async def accesses(self, document_id: str, size: int, before: int) -> list[Any]:
        rows = [r for r in reversed(self.uow.access_log) if r.document_id == document_id]
        return [r for r in rows if not before or r.id < before][: size + 1]


class FakeProcessed:
    def __init__(self, seen: set[tuple[str, str]]) -> None:
        self.seen = seen

    async def first_delivery(self, consumer: str, event_id: str) -> bool:
        if (consumer, event_id) in self.seen:
            return False
        self.seen.add((consumer, event_id))
        return True


class FakeChunkWriter:
    """Keeps content in the fake's ``chunks`` (in clear: sealing is the SQL adapter's concern)."""

    def __init__(self, store: dict[str, bytes], attachment_id: str) -> None:
        self.store, self.attachment_id = store, attachment_id
        self.buffer = bytearray()
        self.size = 0
        self.head = b""

    async def write(self, data: bytes) -> None:
        self.head = self.head or bytes(data[:8])
        self.buffer += data
        self.size += len(data)

    async def finish(self) -> tuple[int, str, int]:
        self.store[self.attachment_id] = bytes(self.buffer)
        return self.size, hashlib.sha256(self.buffer).hexdigest(), 1
