"""``private_file`` tightens regular files only: a shared device or pipe named as a path keeps its mode (found
when tests sent a gateway's audit stream to /dev/null and, running as root, left it 0600 for the machine)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lienthong_runtime.files import open_private_append, private_file


def test_a_regular_file_is_made_owner_only(tmp_path: Path) -> None:
    existing = tmp_path / "audit.jsonl"
    existing.write_text("")
    existing.chmod(0o644)
    private_file(existing)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    created = private_file(tmp_path / "new" / "file")
    assert stat.S_IMODE(created.stat().st_mode) == 0o600


def test_a_pipe_named_as_the_path_keeps_its_mode(tmp_path: Path) -> None:
    fifo = tmp_path / "stream"
    os.mkfifo(fifo, 0o666)
    fifo.chmod(0o666)
    private_file(fifo)
    assert stat.S_IMODE(fifo.stat().st_mode) == 0o666
    # what the gateway's audit sink does with its path; the read end keeps the open from blocking
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        open_private_append(fifo).close()
    finally:
        os.close(reader)
    assert stat.S_IMODE(fifo.stat().st_mode) == 0o666
