"""Citizens' files for ATTACHMENT components: the upload (sealed, owned by the citizen), the check that a form
names only the caller's own files, and the agency's download through a dossier it sees."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping

from lienthong_runtime.errors import InvalidArgument, invalid

from ..domain.attachments import Attachment, attachment_values, check_header, refuse_unowned
from ..domain.dossiers import not_found
from ..domain.procedures import Spec
from .context import Caller, Deps, visible
from .ports import DossiersUnitOfWork

PIECE = 1 << 20  # 1 MiB of plaintext per sealed piece


async def upload(
    uow: DossiersUnitOfWork,
    deps: Deps,
    caller: Caller,
    parts: AsyncIterator[tuple[str, object]],
    limit: int,
) -> Attachment:
    """``parts`` yields ("header", (file_name, content_type)) first, then ("chunk", bytes)."""
    first = await anext(parts, None)
    if first is None or first[0] != "header" or not isinstance(first[1], tuple):
        raise invalid("header", "the first message carries the header")
    header: tuple[object, ...] = first[1]
    name, kind = check_header(str(header[0]), str(header[1]))
    pieces: list[bytes] = []
    buffer = bytearray()
    digest = hashlib.sha256()
    size = 0
    async for what, data in parts:
        if what != "chunk" or not isinstance(data, bytes):
            raise invalid("header", "only the first message carries the header")
        size += len(data)
        if size > limit:
            raise InvalidArgument(f"an attachment is at most {limit} bytes", reason="ATTACHMENT_TOO_LARGE")
        digest.update(data)
        buffer.extend(data)
        while len(buffer) >= PIECE:
            pieces.append(bytes(buffer[:PIECE]))
            del buffer[:PIECE]
    if buffer or not pieces:
        pieces.append(bytes(buffer))
    attachment = Attachment(deps.new_id(), name, kind, size, digest.hexdigest())
    async with uow:
        await uow.attachments.add(attachment, caller.pid, pieces, deps.clock())
    return attachment


async def check_owned(uow: DossiersUnitOfWork, caller: Caller, spec: Spec, form: Mapping[str, str]) -> None:
    """INVALID_ARGUMENT (ATTACHMENT_NOT_FOUND) unless every attachment the form names is the caller's upload."""
    values = attachment_values(spec, form)
    if values:
        refuse_unowned(values, await uow.attachments.owned(sorted(set(values.values())), caller.pid))


async def download(
    uow: DossiersUnitOfWork, deps: Deps, caller: Caller, dossier_id: str, attachment_id: str
) -> tuple[Attachment, list[bytes]]:
    """An attachment named in the form of a dossier the caller sees (read logged); NOT_FOUND otherwise."""
    async with uow:
        dossier = await visible(uow, caller, dossier_id, "GetDossierAttachment", deps.clock())
        procedure = await uow.procedures.get(dossier.procedure_code, dossier.procedure_version)
        named = attachment_values(procedure.spec, dossier.form).values() if procedure else ()
        if not attachment_id or attachment_id not in named:
            raise not_found()
        found = await uow.attachments.get(attachment_id)
        if found is None:
            raise not_found()
        return found, await uow.attachments.content(attachment_id)
