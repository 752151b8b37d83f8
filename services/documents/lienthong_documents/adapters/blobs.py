"""Attachment content at rest: fixed-size chunks, each sealed under the runtime's keyring.

Writing keeps at most two chunks in memory whatever the attachment's size; reading fetches one chunk at a time.
:class:`ChunkReader` gives pyHanko a seekable file over the sealed chunks (from a worker thread), so a 100 MB
signed PDF is verified without its plaintext ever being held whole in memory or written to disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lienthong_runtime.crypto import Keyring

from .tables import attachment_chunks as t

CHUNK = 1 << 20  # 1 MiB of plaintext per sealed chunk


def _aad(attachment_id: str, seq: int) -> bytes:
    return f"attachment:{attachment_id}:{seq}".encode()


class ChunkWriter:
    """Seals and inserts content as it comes; ``finish()`` returns (size, sha256 hex, chunk count)."""

    def __init__(self, session: AsyncSession, keyring: Keyring, attachment_id: str) -> None:
        self.session, self.keyring, self.attachment_id = session, keyring, attachment_id
        self.buffer = bytearray()
        self.digest = hashlib.sha256()
        self.size = 0
        self.chunks = 0
        self.head = b""

    async def write(self, data: bytes) -> None:
        if not self.head:
            self.head = bytes(data[:8])
        self.digest.update(data)
        self.size += len(data)
        self.buffer += data
        while len(self.buffer) >= CHUNK:
            await self._flush(bytes(self.buffer[:CHUNK]))
            del self.buffer[:CHUNK]

    async def _flush(self, plaintext: bytes) -> None:
        key_id, blob = self.keyring.seal(plaintext, _aad(self.attachment_id, self.chunks))
        await self.session.execute(
            insert(t).values(attachment_id=self.attachment_id, seq=self.chunks, key_id=key_id, blob=blob)
        )
        self.chunks += 1

    async def finish(self) -> tuple[int, str, int]:
        if self.buffer:
            await self._flush(bytes(self.buffer))
            self.buffer.clear()
        return self.size, self.digest.hexdigest(), self.chunks


class ChunkStore:
    """Reads sealed chunks, each in its own short transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], keyring: Keyring) -> None:
        self.sessions, self.keyring = sessions, keyring

    async def read(self, attachment_id: str, seq: int) -> bytes:
        async with self.sessions() as session:
            row = (
                await session.execute(
                    select(t.c.key_id, t.c.blob).where(t.c.attachment_id == attachment_id, t.c.seq == seq)
                )
            ).first()
        if row is None:
            raise LookupError(f"chunk {seq} of {attachment_id} is missing")
        return self.keyring.open(row.key_id, row.blob, _aad(attachment_id, seq))

    async def stream(self, attachment_id: str, chunks: int) -> AsyncIterator[bytes]:
        for seq in range(chunks):
            yield await self.read(attachment_id, seq)

    async def delete(self, session: AsyncSession, attachment_ids: list[str]) -> None:
        await session.execute(delete(t).where(t.c.attachment_id.in_(attachment_ids)))

    def reader(self, attachment_id: str, size: int, loop: asyncio.AbstractEventLoop) -> ChunkReader:
        """A blocking, seekable reader for a worker thread; chunks are fetched on ``loop``."""

        def fetch(seq: int) -> bytes:
            return asyncio.run_coroutine_threadsafe(self.read(attachment_id, seq), loop).result()

        return ChunkReader(fetch, size)


class ChunkReader(io.RawIOBase):
    """A read-only seekable file over numbered chunks of ``CHUNK`` bytes, caching the last few."""

    def __init__(self, fetch: Callable[[int], bytes], size: int, cache: int = 4) -> None:
        self._fetch, self._size, self._pos = fetch, size, 0
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._limit = cache

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _chunk(self, seq: int) -> bytes:
        if seq in self._cache:
            self._cache.move_to_end(seq)
            return self._cache[seq]
        data = self._fetch(seq)
        self._cache[seq] = data
        if len(self._cache) > self._limit:
            self._cache.popitem(last=False)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self._size:
            seq, offset = divmod(self._pos, CHUNK)
            piece = self._chunk(seq)[offset : offset + len(view) - done]
            view[done : done + len(piece)] = piece
            done += len(piece)
            self._pos += len(piece)
        return done

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._size - self._pos
        out = bytearray(max(0, min(size, self._size - self._pos)))
        n = self.readinto(out)
        return bytes(out[:n])
