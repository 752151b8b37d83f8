"""Attachment intake (uploads and edXML imports) and download.

Content is sealed chunk by chunk as it arrives, in one transaction per attachment; a PDF's signatures are then
verified from the sealed chunks in a worker thread, and the result stored with the attachment.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import TracebackType
from typing import IO, cast

from lienthong_runtime.errors import InvalidArgument, NotFound, invalid

from ..domain.documents import Attachment, new_attachment_id
from ..domain.signatures import NOT_APPLICABLE, SignatureCheck
from .context import Caller, Context, member, visible
from .ports import DocumentsUnitOfWork

MAX_NAME = 255
PDF_MAGIC = b"%PDF-"


def check_header(file_name: str, content_type: str) -> tuple[str, str]:
    name = file_name.strip().replace("/", "_").replace("\\", "_")
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise invalid("header.file_name", f"is required, at most {MAX_NAME} printable characters")
    kind = content_type.strip().lower() or "application/octet-stream"
    if len(kind) > 100 or "/" not in kind:
        raise invalid("header.content_type", "is a media type such as application/pdf")
    return name, kind


class Intake:
    """One attachment being received: ``write`` as content comes, then ``finish``."""

    def __init__(
        self, uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, file_name: str, content_type: str
    ) -> None:
        self.uow, self.ctx = uow, ctx
        self.caller = caller
        self.id = new_attachment_id()
        self.agency_id = ""
        self.file_name, self.content_type = check_header(file_name, content_type)

    async def __aenter__(self) -> Intake:
        await self.uow.__aenter__()
        try:  # the membership check in the upload's own transaction (one transaction per upload, not two)
            self.agency_id = (await member(self.uow, self.caller)).agency_id
        except BaseException as exc:
            await self.uow.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        self.writer = self.uow.chunk_writer(self.id)
        return self

    async def write(self, data: bytes) -> None:
        if self.writer.size + len(data) > self.ctx.settings.max_attachment_bytes:
            raise InvalidArgument(
                f"an attachment is at most {self.ctx.settings.max_attachment_bytes} bytes",
                reason="ATTACHMENT_TOO_LARGE",
            )
        await self.writer.write(data)

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc is None:
            size, digest, chunks = await self.writer.finish()
            self.attachment = Attachment(
                self.id, self.agency_id, self.file_name, self.content_type, size, digest, NOT_APPLICABLE
            )
            await self.uow.attachments.add(self.attachment, chunks, self.ctx.now())
        await self.uow.__aexit__(type(exc) if exc else None, exc, tb)

    async def verified(self) -> Attachment:
        """After the commit: the attachment with its signature check (PDFs only)."""
        a = self.attachment
        if not (self.writer.head.startswith(PDF_MAGIC) or a.content_type == "application/pdf"):
            return a
        check = await verify(self.ctx, a.id, a.size)
        async with self.uow as uow:
            await uow.attachments.set_signature(a.id, check)
        return Attachment(a.id, a.agency_id, a.file_name, a.content_type, a.size, a.sha256, check)


async def verify(ctx: Context, attachment_id: str, size: int) -> SignatureCheck:
    loop = asyncio.get_running_loop()
    reader = cast(IO[bytes], ctx.chunks.reader(attachment_id, size, loop))
    return await asyncio.to_thread(ctx.pdf.verify, reader)


async def upload(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, parts: AsyncIterator[tuple[str, object]]
) -> Attachment:
    """``parts`` yields ("header", (file_name, content_type)) first, then ("chunk", bytes) items."""
    kind, value = await anext(parts, ("", None))
    if kind != "header" or not isinstance(value, tuple):
        raise invalid(
            "header", "the first message of an upload is its header", reason="UPLOAD_HEADER_MISSING"
        )
    async with Intake(uow, ctx, caller, *value) as intake:
        async for kind, data in parts:
            if kind != "chunk" or not isinstance(data, bytes):
                raise invalid("header", "only the first message is a header", reason="UPLOAD_HEADER_REPEATED")
            if len(data) > 1 << 20:
                raise invalid("chunk", "is at most 1 MiB", reason="CHUNK_TOO_LARGE")
            await intake.write(data)
    return await intake.verified()


async def download(
    uow: DocumentsUnitOfWork, ctx: Context, caller: Caller, document_id: str, attachment_id: str
) -> AsyncIterator[bytes]:
    async with uow:
        me = await member(uow, caller)
        doc = await visible(uow, me, document_id, "DownloadAttachment", caller)
        found = await uow.attachments.get(attachment_id[:64]) if attachment_id else None
    if found is None or found[0].document_id != doc.id:
        raise NotFound("no such attachment in this document", reason="ATTACHMENT_NOT_FOUND")
    async for chunk in ctx.chunks.stream(found[0].id, found[1]):
        yield chunk
