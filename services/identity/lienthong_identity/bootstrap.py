"""Composition root of the identity service: wires settings, crypto, keys, handlers and the server."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from argon2 import PasswordHasher

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong_runtime.auth import RevocationState, TokenVerifier
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.contract import scope_catalogue
from lienthong_runtime.crypto import BlindIndex, UnsealingBus
from lienthong_runtime.db import create_engine, session_factory
from lienthong_runtime.events import OutboxRelay, connect_bus
from lienthong_runtime.server import ServiceApp

from .adapters import crypto, http
from .adapters.keystore import KeyStore
from .adapters.revocations import RevocationLoader
from .adapters.tables import outbox
from .adapters.uow import SEALED_PREFIX, SqlIdentityUnitOfWork
from .config import Settings
from .domain.agencies import AgencyKind
from .domain.audit import Caller
from .domain.citizens import Passwords
from .domain.clients import SecretHasher
from .domain.scopes import agency_grantable, grantable
from .grpc_api import IdentityService
from .handlers import agencies
from .handlers.context import Context
from .handlers.keys import SYSTEM, housekeeping
from .handlers.ports import IdentityUnitOfWork

SERVICE_NAME = identity_pb2.DESCRIPTOR.services_by_name["IdentityService"].full_name
DEMO_FILE = "demo-credentials.json"


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


def create_context(
    settings: Settings, *, uow_factory: Callable[[], IdentityUnitOfWork] | None = None
) -> Context:
    """Everything the handlers need, over a new engine (``ctx.sessions.kw['bind']`` to dispose it); the unit
    of work is the SQL one unless ``uow_factory`` is given."""
    kek = crypto.load_kek(settings)
    sessions = session_factory(create_engine(settings.database_url))
    keyring = crypto.keyring(kek)
    keys = KeyStore(
        sessions,
        keyring,
        token_ttl=settings.access_token_ttl,
        clock_skew=settings.clock_skew,
        algorithm=settings.signing_algorithm,
    )
    revocations = RevocationState()
    verifier = TokenVerifier(
        keys.key_source(),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        revocations=revocations,
        cache=settings.verifier_cache,
    )
    pepper = crypto.pepper(settings, kek)
    index = BlindIndex(pepper)
    return Context(
        settings=settings,
        uow=uow_factory or (lambda: SqlIdentityUnitOfWork(sessions, keyring, index, keys)),
        sessions=sessions,
        keyring=keyring,
        pepper=pepper,
        index=index,
        secrets=SecretHasher(pepper),
        passwords=Passwords(
            PasswordHasher(
                time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib, parallelism=4
            )
        ),
        keys=keys,
        revocations=revocations,
        verifier=verifier,
        catalogue=scope_catalogue(),
    )


async def dispose(ctx: Context) -> None:
    await ctx.sessions.kw["bind"].dispose()


def build_app(ctx: Context) -> ServiceApp:
    """The server for a context: pipeline verifying with identity's own keys, relay and housekeeping."""
    settings = ctx.settings
    bus = connect_bus(settings.bus_url)
    # CitizenContactChanged carries personal data: rows are stored sealed, unsealed only on their way to the bus,
    # and deleted once published.
    relay = OutboxRelay(
        ctx.sessions,
        outbox,
        UnsealingBus(bus, ctx.keyring, SEALED_PREFIX),
        delete_published=True,
        service="identity",
    )
    lifetime = timedelta(seconds=settings.access_token_ttl + settings.clock_skew)
    loader = RevocationLoader(ctx.sessions, ctx.revocations, lifetime)
    ctx.wake_relay = relay.wake
    servicer = IdentityService(ctx)

    keys = cast(KeyStore, ctx.keys)

    async def start() -> None:
        await keys.ensure_current(ctx.now())
        await loader.reload()

    async def stop() -> None:
        await bus.close()
        await dispose(ctx)

    async def keep_house() -> None:
        await housekeeping(ctx, loader.reload)

    return ServiceApp(
        name="identity",
        settings=settings,
        register=lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        verifier=ctx.verifier,
        on_start=[start],
        on_stop=[stop],
        background=[relay.run, keep_house],
        http_routes=http.routes(ctx),
        database=ctx.sessions.kw["bind"],
    )


async def build(settings: Settings) -> ServiceApp:
    return build_app(create_context(settings))


async def create_platform_agency(ctx: Context) -> dict[str, str]:
    """The platform operator's agency and admin client (every grantable scope); credentials returned once."""
    scopes = sorted(grantable(ctx.catalogue))
    agency, client, secret = await agencies.create_agency(
        ctx.uow(), ctx, SYSTEM, "Platform operator", AgencyKind.OTHER, "", scopes, scopes, operator=True
    )
    assert client is not None
    return {"agency_id": agency.id, "client_id": client.id, "client_secret": secret}


def operator_caller(platform: dict[str, str]) -> Caller:
    """The operator's client as the caller of a seeding step (recorded as such in the audit trail)."""
    return Caller(actor=platform["client_id"], agency_id=platform["agency_id"])


async def seed_demo(settings: Settings, data_dir: Path) -> dict[str, str]:
    """Demo credentials for ``lienthong dev``: a Hà Nội agency whose client holds every scope an agency may hold
    (no operator scope: those stay with the operator, in every mode), and the demo's own operator client
    (``admin_*``) for the steps that need one, such as setting disclosure policies. Idempotent: later runs
    re-read the 0600 file."""
    path = Path(data_dir) / DEMO_FILE
    if path.exists():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    ctx = create_context(settings)
    try:
        platform = await create_platform_agency(ctx)
        scopes = sorted(agency_grantable(ctx.catalogue))
        agency, client, secret = await agencies.create_agency(
            ctx.uow(),
            ctx,
            operator_caller(platform),
            "UBND Thành phố Hà Nội (demo)",
            AgencyKind.PROVINCE,
            "01",
            scopes,
            scopes,
        )
    finally:
        await dispose(ctx)
    assert client is not None
    demo = {
        "agency_id": agency.id,
        "client_id": client.id,
        "client_secret": secret,
        "admin_client_id": platform["client_id"],
        "admin_client_secret": platform["client_secret"],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(demo, handle, indent=2)
    return demo
