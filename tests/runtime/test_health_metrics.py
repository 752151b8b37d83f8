"""The metrics the operators' dashboards and alerts read move with what they describe: the outbox backlog and
failed relay passes, bus consumer outcomes and dead letters, the database probe."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from lienthong_runtime import metrics
from lienthong_runtime.events import MemoryBus, OutboxRelay
from lienthong_runtime.server import DatabaseProbe, certificate_expiry

from .test_events import RecordingBus, event, outbox, sessions, stage  # noqa: F401 (fixture)


def _value(metric, *labels: str) -> float:  # type: ignore[no-untyped-def]
    return metric.labels(*labels)._value.get()


async def test_the_relay_exports_its_backlog_and_failed_passes(sessions) -> None:  # noqa: F811
    service = f"svc-{uuid.uuid4().hex[:6]}"
    relay = OutboxRelay(sessions, outbox, RecordingBus(fail_at={3}), batch=10, service=service)
    await stage(sessions, 5)
    assert await relay.count_pending() == 5 and _value(metrics.OUTBOX_PENDING, service) == 5
    with pytest.raises(ConnectionError):
        await relay.publish_pending()  # two go out, the third publish fails
    assert _value(metrics.OUTBOX_PUBLISHED, service) == 2 and _value(metrics.OUTBOX_FAILURES, service) == 1
    assert await relay.count_pending() == 3
    await relay.publish_pending()
    assert await relay.count_pending() == 0 and _value(metrics.OUTBOX_PUBLISHED, service) == 5


async def test_the_memory_bus_counts_outcomes_and_dead_letters() -> None:
    consumer = f"c-{uuid.uuid4().hex[:6]}"
    bus = MemoryBus(max_deliveries=2, redelivery_delay=0.01)
    seen: list[int] = []

    async def handler(env) -> None:  # type: ignore[no-untyped-def]
        seen.append(1)
        if env.subject == "p1":
            raise RuntimeError("cannot handle this one")

    await bus.subscribe(consumer, [], handler)
    await bus.publish(event(0))
    await bus.publish(event(1))
    for _ in range(200):
        if _value(metrics.BUS_HANDLED, consumer, "dead_letter") == 1:
            break
        await asyncio.sleep(0.01)
    assert _value(metrics.BUS_HANDLED, consumer, "ok") == 1
    assert _value(metrics.BUS_HANDLED, consumer, "retry") == 1
    assert _value(metrics.BUS_HANDLED, consumer, "dead_letter") == 1
    assert _value(metrics.BUS_PENDING, consumer) == 0
    await bus.close()


async def test_the_database_probe_says_up_and_down(tmp_path) -> None:
    from lienthong_runtime.db import create_engine

    service = f"svc-{uuid.uuid4().hex[:6]}"
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'probe.db'}")
    assert await DatabaseProbe(service, engine).check() and _value(metrics.DATABASE_UP, service) == 1
    unreachable = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert not await DatabaseProbe(service, unreachable, timeout=2.0).check()
    assert _value(metrics.DATABASE_UP, service) == 0
    await engine.dispose()
    await unreachable.dispose()


def test_certificate_expiry_reads_the_first_certificate_of_the_chain(tmp_path) -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gateway")])
    expires = dt.datetime(2030, 1, 2, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(expires)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "chain.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    assert certificate_expiry(str(path)) == expires.timestamp()
