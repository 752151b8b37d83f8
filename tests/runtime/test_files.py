"""Files the platform writes are owner-only (0600), and only files: a device or a FIFO named as a path keeps the
system's mode (an audit path of ``/dev/null`` once left the machine's /dev/null 0600 for every other user)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lienthong_runtime.files import open_private_append, private_file, private_sqlite, write_private


def _mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_and_existing_regular_files_become_owner_only(tmp_path: Path) -> None:
    created = private_file(tmp_path / "sub" / "audit.jsonl")
    assert _mode(created) == 0o600
    loose = tmp_path / "old.db"
    loose.write_text("")
    os.chmod(loose, 0o644)
    Path(f"{loose}-wal").write_text("")
    os.chmod(f"{loose}-wal", 0o644)
    private_sqlite(loose)
    assert _mode(loose) == 0o600 and _mode(f"{loose}-wal") == 0o600
    write_private(tmp_path / "mail.eml", b"x")
    assert _mode(tmp_path / "mail.eml") == 0o600


def test_a_path_that_is_not_a_regular_file_keeps_its_mode(tmp_path: Path) -> None:
    # A FIFO stands in for /dev/null: a regression here must not break the machine for every other test.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o644)
    private_file(fifo)
    assert _mode(fifo) == 0o644
    fd = os.open(
        fifo, os.O_RDONLY | os.O_NONBLOCK
    )  # a reader, so opening the FIFO for appending does not block
    try:
        with open_private_append(fifo) as sink:
            sink.write("nothing")
    finally:
        os.close(fd)
    assert _mode(fifo) == 0o644
