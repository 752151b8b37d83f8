"""Files the platform writes that may hold personal data or secrets (SQLite databases and their WAL, audit
streams, the embedded mail sink) are created readable by their owner only (0600), whatever the umask.

SQLite creates a database's ``-wal``, ``-shm`` and ``-journal`` files with the permissions of the database file
itself, so creating the database 0600 before SQLite opens it covers them; files left by an older version are
tightened on the next start.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

PRIVATE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_file(path: str | Path) -> Path:
    """Create ``path`` empty with mode 0600 if it does not exist, else make it 0600; its folder is created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        # Only a regular file of ours is tightened: a device or pipe named as the path (an audit stream sent to
        # /dev/null by a test, /dev/stdout, a FIFO) is shared with the whole machine, and chmod as root would
        # take it from every other user (/dev/null 0600 broke every process not running as root).
        if stat.S_ISREG(os.stat(path).st_mode):
            os.chmod(path, PRIVATE)
    return path


def private_sqlite(database: str | Path) -> None:
    """The SQLite database file (and any companion file already there) owner-only, before SQLite opens it."""
    private_file(database)
    for suffix in SQLITE_COMPANIONS:
        companion = Path(f"{database}{suffix}")
        if companion.exists():
            os.chmod(companion, PRIVATE)


def open_private_append(path: str | Path, buffering: int = -1) -> IO[str]:
    """``path`` opened for appending text, created 0600 (an existing file is made 0600 too)."""
    private_file(path)
    return open(path, "a", encoding="utf-8", buffering=buffering)


def write_private(path: str | Path, data: bytes) -> None:
    """Write ``data`` to a new or existing file that only its owner can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, PRIVATE)
