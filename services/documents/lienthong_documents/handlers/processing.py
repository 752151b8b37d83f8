"""What a recipient reports back: receipt, processing states (forward only) and recall acknowledgements."""

from __future__ import annotations

from dataclasses import replace

from lienthong.documents.v1 import events_pb2
from lienthong_runtime.errors import FailedPrecondition
from lienthong_runtime.timestamps import timestamp

from ..domain.directory import DirectoryAgency
from ..domain.documents import Recipient
from ..domain.status import Recall, Status, advance
from .context import Caller, Context, member, visible
from .ports import DocumentsUnitOfWork


async def _mine(
    uow: DocumentsUnitOfWork, caller: Caller, document_id: str, action: str
) -> tuple[DirectoryAgency, Recipient]:
    me = await member(uow, caller)
    doc = await visible(uow, me, document_id, action, caller)
    r = await uow.documents.recipient(doc.id, me.agency_id)
    if r is None:  # the sender sees its document but is not one of its recipients
        raise FailedPrecondition(
            "the calling agency is not a recipient of this document", reason="NOT_A_RECIPIENT"
        )
    return me, r


async def report(
    uow: DocumentsUnitOfWork,
    ctx: Context,
    caller: Caller,
    document_id: str,
    status: Status,
    reason: str,
    action: str = "ReportStatus",
) -> tuple[Recipient, bool]:
    """Move the caller's status forward; a report that is not ahead changes nothing (returns changed=False)."""
    reason = reason.strip()
    async with uow:
        me, r = await _mine(uow, caller, document_id, action)
        new = advance(r.status, status, reason)
        if new is not None and status is not Status.ARRIVED and r.recall is not Recall.NONE:
            raise FailedPrecondition("the sender recalled this document", reason="DOCUMENT_RECALLED")
        if new is None:
            return r, False
        now = ctx.now()
        r = replace(r, status=new, status_time=now)
        await uow.documents.save_recipient(r, reason)
        uow.publish(
            events_pb2.DocumentStatusChanged(
                document_id=r.document_id,
                recipient_code=me.code,
                status=f"PROCESSING_STATUS_{new.name}",
                change_time=timestamp(now),
            ),
            subject=r.document_id,
            agency_id=me.agency_id,
        )
    ctx.committed(uow)
    return r, True


async def acknowledge_receipt(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, document_id: str
) -> Recipient:
    r, _ = await report(uow, ctx, caller, document_id, Status.ARRIVED, "", "AcknowledgeReceipt")
    return r


async def acknowledge_recall(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, document_id: str
) -> Recipient:
    async with uow:
        _, r = await _mine(uow, caller, document_id, "AcknowledgeRecall")
        if r.recall is Recall.NONE:
            raise FailedPrecondition("this document was not recalled", reason="NOT_RECALLED")
        if r.recall is Recall.REQUESTED:
            r = replace(r, recall=Recall.ACKNOWLEDGED, status_time=ctx.now())
            await uow.documents.save_recipient(r, "")
    return r
