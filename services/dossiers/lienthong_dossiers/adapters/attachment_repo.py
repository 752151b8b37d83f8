"""Citizens' uploads in SQL: one row per file (owner as a blind index), its content in pieces sealed under the
keyring, each bound to the attachment and its position so a piece cannot be moved or swapped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from lienthong_runtime.crypto import BlindIndex, Keyring

from ..domain.attachments import Attachment
from ..handlers.ports import AttachmentRepository
from .tables import attachment_pieces, attachments


def _aad(attachment_id: str, seq: int) -> bytes:
    return f"dossier-attachment:{attachment_id}:{seq}".encode()


class SqlAttachmentRepository(AttachmentRepository):
    def __init__(self, session: AsyncSession, keyring: Keyring, index: BlindIndex) -> None:
        self.session, self.keyring, self.index = session, keyring, index

    def _owner(self, pid: str) -> bytes:
        return self.index.digest("citizen", pid)

    async def add(
        self, attachment: Attachment, owner_pid: str, pieces: Sequence[bytes], now: datetime
    ) -> None:
        await self.session.execute(
            insert(attachments).values(
                id=attachment.id,
                owner_key=self._owner(owner_pid),
                file_name=attachment.file_name,
                content_type=attachment.content_type,
                size=attachment.size,
                sha256=attachment.sha256,
                created_at=now,
            )
        )
        for seq, piece in enumerate(pieces):
            await self.session.execute(
                insert(attachment_pieces).values(
                    attachment_id=attachment.id,
                    seq=seq,
                    sealed=self.keyring.seal_packed(piece, _aad(attachment.id, seq)),
                )
            )

    async def owned(self, ids: Sequence[str], owner_pid: str) -> set[str]:
        if not ids:
            return set()
        q = select(attachments.c.id).where(
            attachments.c.id.in_(list(ids)), attachments.c.owner_key == self._owner(owner_pid)
        )
        return {r.id for r in (await self.session.execute(q)).all()}

    async def get(self, attachment_id: str) -> Attachment | None:
        row = (
            await self.session.execute(select(attachments).where(attachments.c.id == attachment_id))
        ).first()
        if row is None:
            return None
        return Attachment(row.id, row.file_name, row.content_type, row.size, row.sha256)

    async def content(self, attachment_id: str) -> list[bytes]:
        rows = (
            await self.session.execute(
                select(attachment_pieces.c.seq, attachment_pieces.c.sealed)
                .where(attachment_pieces.c.attachment_id == attachment_id)
                .order_by(attachment_pieces.c.seq)
            )
        ).all()
        return [self.keyring.open_packed(r.sealed, _aad(attachment_id, r.seq)) for r in rows]
