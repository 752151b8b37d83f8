"""The delivery worker on its own: ``python -m lienthong_notify.worker`` (same ``LIENTHONG_NOTIFY_*`` settings as
the service; prints ``READY``, delivers until SIGTERM/SIGINT). The worker itself is
:class:`lienthong_notify.handlers.delivery.DeliveryWorker`, wired by the composition root
(:func:`lienthong_notify.bootstrap.build_worker`); this module only runs it."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Any

from lienthong_runtime.logs import configure_logging

from .bootstrap import build_worker, load_settings


async def main() -> int:
    """Standalone worker process: deliver until SIGTERM/SIGINT."""
    settings = load_settings()
    configure_logging(settings.log_level)
    worker, close = build_worker(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    task = asyncio.create_task(worker.run())
    print("READY", flush=True)
    await stop.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await close()
    return 0


def _run() -> Any:
    try:
        import uvloop

        return uvloop.run(main())
    except ImportError:
        return asyncio.run(main())


if __name__ == "__main__":
    raise SystemExit(_run())
