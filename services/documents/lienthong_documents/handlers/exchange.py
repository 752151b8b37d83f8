"""edXML export and import, for document management systems (QLVBĐH) that speak QCVN 102:2016."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import date
from typing import cast

from lienthong_runtime.errors import FailedPrecondition, InvalidArgument, invalid

from ..domain import edxml
from ..domain.documents import Confidentiality, Hop, Metadata, Relation, Urgency
from ..domain.status import Status
from . import sending
from .attachments import Intake
from .context import Caller, Context, member, visible
from .ports import DocumentsUnitOfWork

FEED = 64 * 1024


async def export(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, document_id: str
) -> AsyncIterator[bytes]:
    async with uow:
        me = await member(uow, caller)
        doc = await visible(uow, me, document_id, "ExportEdxml", caller)
        history = await uow.documents.history(doc.id)
        chunk_counts = {a.id: (await uow.attachments.get(a.id) or (a, 0))[1] for a in doc.attachments}
    seen = {r.agency_id for r in doc.recipients}
    codes = {r.agency_id: r.code for r in doc.recipients}
    m = doc.metadata
    package = edxml.Package(
        document_id=doc.id,
        from_code=doc.sender_code,
        from_name=doc.sender_name,
        to=[(r.code, r.display_name) for r in doc.recipients],
        number_symbol=m.number_symbol,
        issue_place=m.issue_place,
        issue_date=m.issue_date,
        document_type=m.document_type,
        summary=m.summary,
        signer_name=m.signer_name,
        signer_title=m.signer_title,
        urgency=m.urgency.value,
        confidentiality=m.confidentiality.value,
        relation=doc.relation.value,
        related_document_id=doc.related_document_id,
        trace=[(h.code, h.time) for h in doc.trace],
        statuses=[
            (codes[h.agency_id], Status(h.status).name, h.changed_at, h.reason)
            for h in history
            if h.agency_id in seen
        ],
    )
    yield edxml.header(package).encode()
    for a in doc.attachments:
        async for part in edxml.attachment(
            a.file_name, a.content_type, ctx.chunks.stream(a.id, chunk_counts[a.id])
        ):
            yield part
    yield edxml.FOOTER


async def import_package(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, key: str, chunks: AsyncIterator[bytes]
) -> sending.Document:
    """Send the document a package describes; its sender must be the calling agency."""
    async with uow:
        me = await member(uow, caller)
    reader = edxml.Reader()
    attachment_ids: list[str] = []
    open_: list[Intake] = []  # the attachment being received, if any (kept here so errors can close it)
    total = 0
    digest = hashlib.sha256()
    try:
        async for data in chunks:
            total += len(data)
            digest.update(data)
            if total > ctx.settings.max_edxml_bytes:
                raise InvalidArgument("the edXML package is too large", reason="PACKAGE_TOO_LARGE")
            for start in range(0, len(data), FEED):
                reader.feed(data[start : start + FEED])
                await _apply(uow, ctx, caller, reader.drain(), open_, attachment_ids)
        reader.feed(b"", final=True)
        await _apply(uow, ctx, caller, reader.drain(), open_, attachment_ids)
    except ValueError as exc:
        raise invalid("chunk", f"the edXML package is malformed: {exc}", reason="EDXML_MALFORMED") from None
    finally:
        for intake in open_:  # the package failed or ended inside an attachment: discard it
            await intake.__aexit__(InvalidArgument, InvalidArgument("the package is incomplete"), None)
    p = reader.package
    if p.from_code.strip().upper() != me.code:
        raise FailedPrecondition(
            "the package's sender is not the calling agency", reason="EDXML_SENDER_MISMATCH"
        )
    try:
        meta = Metadata(
            number_symbol=p.number_symbol,
            document_type=p.document_type,
            issue_place=p.issue_place,
            issue_date=p.issue_date or date.today(),
            summary=p.summary,
            signer_name=p.signer_name,
            signer_title=p.signer_title,
            urgency=Urgency(p.urgency),
            confidentiality=Confidentiality(p.confidentiality),
        )
        relation = Relation(p.relation)
    except ValueError:
        raise invalid(
            "chunk", "the package's priority or confidentiality is unknown", reason="EDXML_MALFORMED"
        ) from None
    command = sending.SendCommand(
        idempotency_key=key,
        metadata=meta,
        recipient_codes=[code for code, _ in p.to],
        attachment_ids=attachment_ids,
        related_document_id=p.related_document_id,
        relation=relation,
        trace=[Hop(code, at) for code, at in p.trace],
        package_digest=digest.hexdigest(),
    )
    return await sending.send(uow, ctx, caller, command)


async def _apply(
    uow: DocumentsUnitOfWork,
    ctx: Context,
    caller: Caller,
    items: list[tuple[str, object]],
    open_: list[Intake],
    ids: list[str],
) -> None:
    for kind, value in items:
        if kind == "begin":
            name, content_type = cast(tuple[str, str], value)
            if open_:
                raise ValueError("an attachment inside an attachment")
            open_.append(await Intake(uow, ctx, caller, name or "attachment", content_type).__aenter__())
        elif kind == "data" and open_:
            await open_[0].write(cast(bytes, value))
        elif kind == "end" and open_:
            intake = open_.pop()
            await intake.__aexit__(None, None, None)
            ids.append((await intake.verified()).id)
