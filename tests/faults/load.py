"""Load through the gateways with the generated client, and the after-drill accounting: what was attempted,
acknowledged, lost and duplicated, errors by status code, seconds to recover.

Operations (each a logical operation, retried with the same idempotency key until acknowledged or its deadline,
as a careful caller does; every failed attempt is counted by status code):

* ``register``: CreateCitizen (registry), checked afterwards by GetCitizen: present, at version 1;
* ``pay``: CreatePayment then StartPayment (sandbox, success), checked afterwards: SUCCESS (not left STARTED),
  exactly one payment with its reference, exactly one receipt e-mail at the payer's address (payment -> NATS ->
  notify -> SMTP);
* ``token``: IssueToken (identity), nothing to check afterwards.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from lienthong.client import ClientCredentials, TokenSource, connect, error_info
from lienthong.common.v1 import date_pb2
from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong.payment.v1 import payment_pb2, payment_pb2_grpc
from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc
from lienthong_registry.domain.sex import Sex
from tests.journey.journey import PURPOSE, new_citizen
from tests.registry.factories import personal_id

PROVINCES = ("001", "079", "048", "031", "092")
SEXES = (Sex.MALE, Sex.FEMALE)

#: A logical operation gives up after this many seconds of retrying (then it is not acknowledged).
OPERATION_DEADLINE = 45.0
RETRYABLE = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED", "ABORTED", "RESOURCE_EXHAUSTED"})
AGENCY_SCOPES = (
    "registry.citizens.write",
    "registry.citizens.read",
    "payment.payments.write",
    "payment.payments.read",
)


@dataclass(frozen=True)
class Conn:
    """A worker's gateway, its public channel (IssueToken) and its channel with the agency's token."""

    gateway: str
    public: grpc.aio.Channel
    channel: grpc.aio.Channel


@dataclass
class Tally:
    attempted: int = 0
    acknowledged: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    #: (completion time, ok, start time, gateway) of every attempt, for the time to recover.
    attempts: list[tuple[float, bool, float, str]] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)
    #: (payment id, reference, payer e-mail, unix time acknowledged)
    paid: list[tuple[str, str, str, float]] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    #: SMTP re-sends of a message already accepted (same Message-ID), over the whole run so far.
    resent: int = 0

    def first_success_after(self, moment: float, gateway: str = "") -> float | None:
        """Seconds from ``moment`` to the first successful attempt started after it (through ``gateway``)."""
        done = [
            end for end, ok, start, via in self.attempts if ok and start >= moment and gateway in ("", via)
        ]
        return min(done) - moment if done else None

    def row(self, drill: str, recover_s: float | None) -> str:
        errors = ", ".join(f"{code} {n}" for code, n in sorted(self.errors.items())) or "none"
        recover = "-" if recover_s is None else f"{recover_s:.1f}"
        return (
            f"{drill:<34} attempted {self.attempted:>4}  acknowledged {self.acknowledged:>4}  lost {self.lost}  "
            f"duplicated {self.duplicated}  errors: {errors}  recover s: {recover}  smtp re-sends {self.resent}"
        )


class Load:
    """Workers issuing ``ops`` (weighted names) through ``gateways`` until :meth:`stop`."""

    def __init__(
        self, gateways: list[str], credentials: dict[str, str], ops: dict[str, int], workers: int = 3
    ):
        self.gateways, self.credentials, self.ops, self.workers = gateways, credentials, ops, workers
        self.tally = Tally()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._channels: list[grpc.aio.Channel] = []
        self._last_code = ""

    async def __aenter__(self) -> Load:
        for index in range(self.workers):
            gateway = self.gateways[index % len(self.gateways)]
            public = connect(gateway)
            tokens = TokenSource.from_client_credentials(
                public,
                ClientCredentials(
                    self.credentials["client_id"], self.credentials["client_secret"], scopes=AGENCY_SCOPES
                ),
            )
            channel = connect(gateway, token_source=tokens)
            self._channels += [public, channel]
            self._tasks.append(asyncio.create_task(self._worker(Conn(gateway, public, channel))))
        return self

    async def stop(self) -> Tally:
        self._stop.set()
        await asyncio.gather(*self._tasks)
        for channel in self._channels:
            await channel.close()
        return self.tally

    async def __aexit__(self, *exc: object) -> None:
        if not self._stop.is_set():
            await self.stop()

    async def _worker(self, conn: Conn) -> None:
        names, weights = list(self.ops), list(self.ops.values())
        while not self._stop.is_set():
            op = random.choices(names, weights)[0]
            self.tally.attempted += 1
            if await getattr(self, f"_{op}")(conn):
                self.tally.acknowledged += 1

    async def _attempt(self, conn: Conn, call: Any, *, accept: tuple[str, ...] = ()) -> tuple[bool, Any]:
        """One attempt: (True, reply) on success or on an answer listed in ``accept`` (reason names)."""
        started = time.monotonic()
        try:
            reply = await call()
        except grpc.aio.AioRpcError as exc:
            info = error_info(exc)
            if info is not None and info.reason in accept:
                self.tally.attempts.append((time.monotonic(), True, started, conn.gateway))
                return True, None
            self._last_code = exc.code().name
            self.tally.errors[self._last_code] += 1
            self.tally.attempts.append((time.monotonic(), False, started, conn.gateway))
            return False, None
        self.tally.attempts.append((time.monotonic(), True, started, conn.gateway))
        return True, reply

    async def _retry(self, conn: Conn, call: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Retry what a careful caller retries (UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, RESOURCE_EXHAUSTED),
        with the same idempotency key, until acknowledged or :data:`OPERATION_DEADLINE`."""
        deadline = time.monotonic() + OPERATION_DEADLINE
        while time.monotonic() < deadline:
            ok, reply = await self._attempt(conn, call, **kwargs)
            if ok:
                return True, reply
            if self._last_code not in RETRYABLE:
                return False, None
            await asyncio.sleep(0.2)
        return False, None

    async def _register(self, conn: Conn) -> bool:
        citizen = new_citizen()
        # Personal IDs from a wide space (the journey's fixed prefix leaves 10^6, where hundreds of drill records
        # collide): birth-registration province, sex and year vary too.
        birth = dt.date(random.randint(1950, 2005), random.randint(1, 12), random.randint(1, 28))
        sex = random.choice(SEXES)
        citizen.personal_id = personal_id(birth, sex, random.choice(PROVINCES))
        citizen.date_of_birth.CopyFrom(date_pb2.Date(year=birth.year, month=birth.month, day=birth.day))
        citizen.sex = registry_pb2.SEX_MALE if sex is Sex.MALE else registry_pb2.SEX_FEMALE
        citizen.household_id = f"HK-{citizen.personal_id}"
        request = registry_pb2.CreateCitizenRequest(
            citizen=citizen, legal_reason="Đăng ký thường trú (drill)", idempotency_key=uuid.uuid4().hex
        )
        stub = registry_pb2_grpc.RegistryServiceStub(conn.channel)
        ok, _ = await self._retry(conn, lambda: stub.CreateCitizen(request, timeout=10))
        if ok:
            self.tally.registered.append(request.citizen.personal_id)
        return ok

    async def _pay(self, conn: Conn) -> bool:
        stub = payment_pb2_grpc.PaymentServiceStub(conn.channel)
        reference = f"DRILL-{uuid.uuid4().hex[:12]}"
        payer = f"payer-{uuid.uuid4().hex[:12]}@example.vn"
        create = payment_pb2.CreatePaymentRequest(
            amount_vnd=50_000,
            description="Lệ phí diễn tập",
            reference=reference,
            return_url="https://dichvucong.example.gov.vn/ket-qua",
            idempotency_key=uuid.uuid4().hex,
            provider=payment_pb2.PAYMENT_PROVIDER_SANDBOX,
            payer_email=payer,
        )
        ok, created = await self._retry(conn, lambda: stub.CreatePayment(create, timeout=10))
        if not ok:
            return False
        start = payment_pb2.StartPaymentRequest(
            payment_id=created.payment.id, sandbox_scenario=payment_pb2.SANDBOX_SCENARIO_SUCCESS
        )
        # A retried start whose first attempt committed finds the payment already past STARTED: acknowledged.
        ok, _ = await self._retry(
            conn, lambda: stub.StartPayment(start, timeout=10), accept=("PAYMENT_ALREADY_STARTED",)
        )
        if ok:
            self.tally.paid.append((created.payment.id, reference, payer, time.time()))
        return ok

    async def _token(self, conn: Conn) -> bool:
        stub = identity_pb2_grpc.IdentityServiceStub(conn.public)
        request = identity_pb2.IssueTokenRequest(
            client_id=self.credentials["client_id"], client_secret=self.credentials["client_secret"]
        )
        ok, _ = await self._retry(conn, lambda: stub.IssueToken(request, timeout=10))
        return ok


@dataclass
class Receipts:
    """What the counting sink accepted: distinct messages (by Message-ID) per recipient, when each recipient's
    first one arrived (unix time), and how many DATA were re-sends of a message it already had (SMTP is at least
    once: a sender that dies between the server's 250 and recording it sends again with the same Message-ID,
    which receivers de-duplicate)."""

    distinct: Counter[str]
    first_arrival: dict[str, float]
    resent: int


def receipts(mail_dir: Path) -> Receipts:
    seen: dict[str, set[str]] = {}
    first: dict[str, float] = {}
    lines = 0
    log = mail_dir / "received.log"
    for line in log.read_text(encoding="utf-8").splitlines() if log.exists() else ():
        stamp, message_id, recipients = line.split("\t", 2)
        lines += 1
        for address in recipients.split(","):
            address = address.strip().lower()
            seen.setdefault(address, set()).add(message_id)
            first[address] = min(first.get(address, float("inf")), float(stamp))
    distinct = Counter({address: len(ids) for address, ids in seen.items()})
    return Receipts(distinct, first, lines - len({m for ids in seen.values() for m in ids}))


def delivered_after(tally: Tally, mail_dir: Path, start: float, end: float, back: float) -> float:
    """Seconds from ``back`` (unix time) until the last receipt of the payments acknowledged between ``start``
    and ``end`` arrived (0 when they all arrived before it)."""
    arrivals = receipts(mail_dir).first_arrival
    times = [arrivals.get(payer, float("inf")) for _, _, payer, acked in tally.paid if start <= acked <= end]
    return max(0.0, max(times, default=back) - back)


async def audit(
    tally: Tally, gateway: str, credentials: dict[str, str], mail_dir: Path, *, wait: float = 60
) -> float:
    """Count lost and duplicated outcomes of ``tally``, waiting up to ``wait`` seconds for the asynchronous ones
    (payments completed by the provider, receipts delivered). Returns the seconds it waited for them."""
    started = time.monotonic()
    async with connect(gateway) as public:
        tokens = TokenSource.from_client_credentials(
            public,
            ClientCredentials(credentials["client_id"], credentials["client_secret"], scopes=AGENCY_SCOPES),
        )
        async with connect(gateway, token_source=tokens) as channel:
            registry = registry_pb2_grpc.RegistryServiceStub(channel)
            for pid in tally.registered:
                try:
                    got = await registry.GetCitizen(
                        registry_pb2.GetCitizenRequest(personal_id=pid, purpose=PURPOSE)
                    )
                except grpc.aio.AioRpcError as exc:
                    assert exc.code() is grpc.StatusCode.NOT_FOUND, exc
                    tally.lost += 1
                    continue
                tally.duplicated += got.citizen.version > 1
            payments = payment_pb2_grpc.PaymentServiceStub(channel)
            pending = {payment_id for payment_id, _, _, _ in tally.paid}
            expected = {payer for _, _, payer, _ in tally.paid}
            while time.monotonic() - started < wait:
                for payment_id in list(pending):
                    reply = await payments.GetPayment(payment_pb2.GetPaymentRequest(payment_id=payment_id))
                    if reply.payment.state == payment_pb2.PAYMENT_STATE_SUCCESS:
                        pending.discard(payment_id)
                delivered = receipts(mail_dir).distinct
                if not pending and all(delivered[payer] for payer in expected):
                    break
                await asyncio.sleep(0.5)
            waited = time.monotonic() - started
            got = receipts(mail_dir)
            delivered, tally.resent = got.distinct, got.resent
            for payment_id, reference, payer, _ in tally.paid:
                found = await payments.SearchPayments(payment_pb2.SearchPaymentsRequest(reference=reference))
                lost = payment_id in pending or delivered[payer] == 0
                tally.lost += lost
                tally.duplicated += len(found.payments) > 1 or delivered[payer] > 1
    return waited
