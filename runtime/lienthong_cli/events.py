"""``lienthong events``: operate the NATS JetStream bus.

    lienthong events status                                  streams and durable consumers
    lienthong events dlq list [--consumer notify]            dead letters, oldest first
    lienthong events dlq replay --consumer notify --all      hand dead letters back (after fixing the handler)
    lienthong events dlq replay --consumer notify --seq 4 7  only these dead letters
    lienthong events replay --consumer notify --since 2h     deliver stored events again to one consumer
    lienthong events replay --consumer notify --seq 1200 [--type lienthong.payment.v1.PaymentSucceeded]

The bus is ``--bus-url`` or ``$LIENTHONG_BUS_URL`` (default ``nats://127.0.0.1:4222``), with the same options
as the services' ``bus_url`` (``?namespace=...``). Replays go only to the named consumer, through its
``<consumer>_replay`` durable; the consumer is idempotent, so events it already processed are skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from lienthong_runtime.nats_bus import JetStreamBus

DEFAULT_BUS_URL = "nats://127.0.0.1:4222"
_RELATIVE = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``15m``, ``2h``, ``1d`` ago, or an ISO 8601 time (UTC when it has no offset)."""
    match = _RELATIVE.match(value.strip())
    if match:
        delta = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        return (now or datetime.now(UTC)) - delta
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        message = f"not a time: {value!r} (use 2026-11-27T10:00:00Z or 15m, 2h, 1d)"
        raise argparse.ArgumentTypeError(message) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def register(subparsers: Any) -> None:
    """Add the ``events`` command group to the ``lienthong`` parser."""
    events = subparsers.add_parser("events", help="operate the event bus (NATS JetStream)")
    events.add_argument("--bus-url", default=os.environ.get("LIENTHONG_BUS_URL", DEFAULT_BUS_URL))
    events.add_argument("--json", action="store_true", help="machine-readable output")
    commands = events.add_subparsers(dest="events_command", required=True)

    status = commands.add_parser("status", help="streams and durable consumers")
    status.set_defaults(func=_run(_status))

    dlq = commands.add_parser("dlq", help="dead letters").add_subparsers(dest="dlq_command", required=True)
    listing = dlq.add_parser("list", help="dead letters, oldest first")
    listing.add_argument("--consumer", default=None)
    listing.add_argument("--limit", type=int, default=100)
    listing.set_defaults(func=_run(_dlq_list))
    again = dlq.add_parser("replay", help="hand dead letters back to their consumer and remove them")
    again.add_argument("--consumer", required=True)
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("--seq", type=int, nargs="+", help="dead-letter sequence numbers (from dlq list)")
    which.add_argument("--all", action="store_true", help="every dead letter of the consumer")
    again.set_defaults(func=_run(_dlq_replay))

    replay = commands.add_parser("replay", help="deliver stored events again to one consumer")
    replay.add_argument("--consumer", required=True)
    start = replay.add_mutually_exclusive_group(required=True)
    start.add_argument("--since", type=parse_since, help="a time (ISO 8601) or an age such as 30m, 2h, 1d")
    start.add_argument("--seq", type=int, help="first stream sequence number")
    replay.add_argument("--type", action="append", default=[], help="only this event type (repeatable)")
    replay.set_defaults(func=_run(_replay))


Command = Callable[[JetStreamBus, argparse.Namespace], Awaitable[Any]]


def _run(command: Command) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        async def main() -> Any:
            bus = JetStreamBus(args.bus_url)
            try:
                return await command(bus, args)
            finally:
                await bus.close()

        if not args.bus_url.startswith(("nats://", "tls://")):
            print("lienthong events works on a NATS bus; the memory:// bus lives inside `lienthong dev`")
            return 2
        result = asyncio.run(main())
        if args.json:
            print(json.dumps(result, indent=2, default=str))
        else:
            print(_text(result))
        return 0

    return run


async def _status(bus: JetStreamBus, _: argparse.Namespace) -> dict[str, Any]:
    return await bus.status()


async def _dlq_list(bus: JetStreamBus, args: argparse.Namespace) -> list[dict[str, Any]]:
    letters = await bus.list_dead_letters(args.consumer, limit=args.limit)
    return [
        {
            "seq": d.seq,
            "consumer": d.consumer,
            "event_id": d.event.id,
            "type": d.event.type,
            "subject": d.event.subject,
            "agency_id": d.event.agency_id,
            "reason": d.reason,
            "deliveries": d.deliveries,
            "time": d.time.isoformat(),
        }
        for d in letters
    ]


async def _dlq_replay(bus: JetStreamBus, args: argparse.Namespace) -> dict[str, Any]:
    count = await bus.replay_dead_letters(args.consumer, None if args.all else args.seq)
    return {"consumer": args.consumer, "replayed": count}


async def _replay(bus: JetStreamBus, args: argparse.Namespace) -> dict[str, Any]:
    count = await bus.replay(args.consumer, since_seq=args.seq, since_time=args.since, types=args.type)
    return {"consumer": args.consumer, "replayed": count}


def _text(result: Any) -> str:
    if isinstance(result, list):
        if not result:
            return "no dead letters"
        return "\n".join(
            f"{d['seq']:>6}  {d['time']}  {d['consumer']:<12} {d['type']:<44} {d['event_id']}  "
            f"deliveries={d['deliveries']}  {d['reason']}"
            for d in result
        )
    if "replayed" in result:
        return f"{result['replayed']} event(s) handed to {result['consumer']} (through {result['consumer']}_replay)"
    lines = []
    for stream, info in result.items():
        lines.append(
            f"{stream}  messages={info['messages']} seq={info['first_seq']}..{info['last_seq']} "
            f"bytes={info['bytes']} subjects={','.join(info['subjects'])}"
        )
        for name, c in sorted(info["consumers"].items()):
            lines.append(
                f"  {name:<24} pending={c['pending']} ack_pending={c['ack_pending']} "
                f"redelivered={c['redelivered']} delivered_seq={c['delivered_seq']} "
                f"ack_floor_seq={c['ack_floor_seq']}"
            )
    return "\n".join(lines)
