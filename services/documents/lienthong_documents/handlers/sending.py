"""Sending, updating, replacing and recalling documents."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace

from lienthong.documents.v1 import events_pb2
from lienthong_runtime.errors import AlreadyExists, FailedPrecondition, NotFound, invalid
from lienthong_runtime.timestamps import timestamp

from ..domain.codes import normalise_code
from ..domain.directory import DirectoryAgency
from ..domain.documents import (
    MAX_ATTACHMENTS,
    MAX_RECIPIENTS,
    Document,
    DuplicateKey,
    Hop,
    Metadata,
    Recipient,
    Relation,
    check_metadata,
    new_document_id,
)
from ..domain.status import Recall, Status
from .context import Caller, Context, as_member, member, not_found, visible
from .convert_events import recipient_event
from .ports import DocumentsUnitOfWork

MAX_REASON = 2000


@dataclass(frozen=True)
class SendCommand:
    idempotency_key: str
    metadata: Metadata
    recipient_codes: list[str]
    attachment_ids: list[str]
    related_document_id: str = ""
    relation: Relation = Relation.NONE
    #: Hops before this platform (from an imported edXML package).
    trace: list[Hop] = field(default_factory=list)
    #: Set by an import: the package's digest stands for the request (its attachments get new ids each time).
    package_digest: str = ""

    def fingerprint(self) -> str:
        if self.package_digest:
            return self.package_digest
        body = {
            "m": {k: str(v) for k, v in self.metadata.__dict__.items()},
            "r": sorted(self.recipient_codes),
            "a": list(self.attachment_ids),
            "rel": [self.related_document_id, self.relation.value],
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _check(cmd: SendCommand) -> SendCommand:
    key = cmd.idempotency_key.strip()
    if not 8 <= len(key) <= 100:
        raise invalid("idempotency_key", "is required, 8 to 100 characters")
    codes = list(dict.fromkeys(normalise_code(c, "recipient_codes") for c in cmd.recipient_codes))
    if not 1 <= len(codes) <= MAX_RECIPIENTS:
        raise invalid("recipient_codes", f"names 1 to {MAX_RECIPIENTS} agencies")
    ids = list(dict.fromkeys(a[:64] for a in cmd.attachment_ids))
    if not 1 <= len(ids) <= MAX_ATTACHMENTS:
        raise invalid("attachment_ids", f"names 1 to {MAX_ATTACHMENTS} uploaded attachments")
    if bool(cmd.related_document_id) != (cmd.relation is not Relation.NONE):
        raise invalid("relation", "is given together with related_document_id")
    return replace(
        cmd,
        idempotency_key=key,
        metadata=check_metadata(cmd.metadata),
        recipient_codes=codes,
        attachment_ids=ids,
        related_document_id=cmd.related_document_id[:64],
    )


async def send(uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, cmd: SendCommand) -> Document:
    """Deliver a document to every recipient's inbox, atomically with its DocumentSent event."""
    cmd = _check(cmd)
    fingerprint = cmd.fingerprint()
    try:
        async with uow:
            # The sender and its recipients in one query.
            entries = await uow.directory.by_agency_or_codes(caller.agency_id, cmd.recipient_codes)
            me = as_member(next((e for e in entries if e.agency_id == caller.agency_id), None))
            existing = await uow.documents.by_idempotency_key(me.agency_id, cmd.idempotency_key)
            if existing is not None:
                return _replayed(existing, fingerprint)
            found = {e.code: e for e in entries if e.code in cmd.recipient_codes}
            doc = await _deliver(uow, ctx, caller, me, found, cmd, fingerprint)
    except DuplicateKey:  # the same key sent concurrently: answer with the winner
        async with uow:
            existing = await uow.documents.by_idempotency_key(caller.agency_id, cmd.idempotency_key)
        if existing is None:
            raise
        return _replayed(existing, fingerprint)
    ctx.committed(uow, inbox=True)
    return doc


def _replayed(existing: Document, fingerprint: str) -> Document:
    if existing.request_hash != fingerprint:
        raise AlreadyExists(
            "this idempotency key was used for a different document", reason="IDEMPOTENCY_KEY_REUSED"
        )
    return existing


async def _deliver(
    uow: DocumentsUnitOfWork,
    ctx: Context,
    caller: Caller,
    me: DirectoryAgency,
    found: dict[str, DirectoryAgency],
    cmd: SendCommand,
    fingerprint: str,
) -> Document:
    now = ctx.now()
    for code in cmd.recipient_codes:
        if code not in found:
            raise NotFound(
                f"no agency {code} in the directory",
                reason="RECIPIENT_NOT_IN_DIRECTORY",
                metadata={"recipient_code": code},
            )
        if code == me.code:
            raise invalid("recipient_codes", "cannot include the sender itself")
        if found[code].suspended:
            raise FailedPrecondition(
                f"agency {code} is suspended and receives nothing",
                reason="RECIPIENT_SUSPENDED",
                metadata={"recipient_code": code},
            )
    files = await uow.attachments.unsent(me.agency_id, cmd.attachment_ids)
    if len(files) != len(cmd.attachment_ids):
        raise NotFound(
            "an attachment was not uploaded by this agency or was already sent", reason="ATTACHMENT_NOT_FOUND"
        )
    checks = [a.signature for a in files]
    for code in cmd.recipient_codes:
        found[code].policy.check(code, checks)
    if cmd.relation is not Relation.NONE:
        related = await visible(uow, me, cmd.related_document_id, "SendDocument", caller, for_update=True)
        if cmd.relation in (Relation.UPDATE, Relation.REPLACE) and related.sender_agency_id != me.agency_id:
            raise FailedPrecondition(
                "only the sender can update or replace a document", reason="NOT_THE_SENDER"
            )
    doc_id = new_document_id()
    doc = Document(
        id=doc_id,
        sender_agency_id=me.agency_id,
        sender_code=me.code,
        sender_name=me.display_name,
        metadata=cmd.metadata,
        send_time=now,
        idempotency_key=cmd.idempotency_key,
        request_hash=fingerprint,
        related_document_id=cmd.related_document_id,
        relation=cmd.relation,
        recipients=[
            Recipient(doc_id, found[c].agency_id, c, found[c].display_name, Status.DELIVERED, now)
            for c in cmd.recipient_codes
        ],
        trace=[*cmd.trace, Hop(me.code, now)],
    )
    await uow.documents.add(doc)
    await uow.attachments.bind(cmd.attachment_ids, doc.id)
    if cmd.relation is Relation.REPLACE:
        await uow.documents.mark_replaced(cmd.related_document_id, doc.id)
    doc.attachments.extend(replace(a, document_id=doc.id) for a in files)
    uow.publish(
        events_pb2.DocumentSent(
            document_id=doc.id,
            sender_code=me.code,
            sender_name=me.display_name,
            number_symbol=doc.metadata.number_symbol,
            urgency=f"URGENCY_{doc.metadata.urgency.value}",
            recipients=[recipient_event(found[c]) for c in cmd.recipient_codes],
            send_time=timestamp(now),
            related_document_id=doc.related_document_id,
            relation=f"RELATION_{doc.relation.value}" if doc.relation is not Relation.NONE else "",
        ),
        subject=doc.id,
        agency_id=me.agency_id,
    )
    return doc


async def recall(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, document_id: str, reason: str
) -> Document:
    """Recall a sent document: every recipient gets a recall to acknowledge. Idempotent."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise invalid("reason", f"is required, at most {MAX_REASON} characters")
    async with uow:
        me = await member(uow, caller)
        doc = await visible(uow, me, document_id, "RecallDocument", caller, for_update=True)
        if doc.sender_agency_id != me.agency_id:
            raise FailedPrecondition("only the sender can recall a document", reason="NOT_THE_SENDER")
        if doc.recall_time is not None:
            return doc
        now = ctx.now()
        await uow.documents.mark_recalled(doc.id, now, reason)
        for r in doc.recipients:
            await uow.documents.save_recipient(
                Recipient(doc.id, r.agency_id, r.code, r.display_name, r.status, now, Recall.REQUESTED),
                reason,
            )
            await uow.documents.add_inbox_event(r.agency_id, doc.id, "RECALLED", now)
        uow.publish(
            events_pb2.DocumentRecalled(document_id=doc.id, sender_code=me.code, recall_time=timestamp(now)),
            subject=doc.id,
            agency_id=me.agency_id,
        )
        updated = await uow.documents.get(doc.id)
    ctx.committed(uow, inbox=True)
    if updated is None:
        raise not_found()
    return updated
