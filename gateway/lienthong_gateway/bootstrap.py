"""Composition root of the gateway: routes from the contract, upstream pools, token verification fed by
identity's events, rate limits, audit and TLS, wired into a runtime ``ServiceApp``.

The gateway does not use the services' ``CallPipeline``: its own interceptor hands contract methods straight to
the :class:`~lienthong_gateway.forwarding.Forwarder` (which checks, limits, audits and forwards), and lets
everything else (health, reflection) through to the runtime's handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import grpc

from lienthong_runtime.auth import KeySource, RevocationState, TokenVerifier
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.config import trusted_proxies
from lienthong_runtime.contract import contract_services
from lienthong_runtime.events import connect_bus
from lienthong_runtime.identity_events import IdentityEvents
from lienthong_runtime.jwks import jwks_fetcher
from lienthong_runtime.server import ServiceApp

from .audit import AuditSink
from .auth import Authorizer
from .config import Settings
from .forwarding import Forwarder
from .ratelimit import RateLimiter, connect_redis
from .rest.service import RestFace, build_rest_face
from .routing import BLOCKS, Route, contract_routes
from .streams import build_streaming
from .tls import channel_factory, server_certificate
from .upstreams import Upstreams

log = logging.getLogger("lienthong.gateway")


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


class RoutingInterceptor(grpc.aio.ServerInterceptor):
    """The gateway's pipeline: contract methods go to the forwarder; health and reflection pass through."""

    def __init__(self, forwarder: Forwarder) -> None:
        self.forwarder = forwarder

    async def intercept_service(
        self, continuation: Any, handler_call_details: grpc.HandlerCallDetails
    ) -> Any:
        handler = self.forwarder.service(handler_call_details)
        return handler if handler is not None else await continuation(handler_call_details)


@dataclass
class Gateway:
    """The built gateway: the app to run and the parts tests and operators look at."""

    app: ServiceApp
    settings: Settings
    forwarder: Forwarder
    upstreams: Upstreams
    limiter: RateLimiter
    revocations: RevocationState
    tls_port: int = 0  # the public TLS port once bound (TLS replaces the runtime's plaintext port)
    rest: RestFace | None = None  # the REST/JSON face (None when ``rest_port`` is -1)


async def build_gateway(
    settings: Settings,
    *,
    keys: KeySource | None = None,
    bus: Any = None,
    redis: Any = None,
    routes: Mapping[str, Route] | None = None,
) -> Gateway:
    """Build the gateway; ``keys``, ``bus``, ``redis`` and extra ``routes`` can be injected by tests."""
    unknown = sorted(set(settings.upstreams) - set(BLOCKS))
    if unknown:
        raise ValueError(
            f"upstreams names unknown building blocks {unknown}; expected some of {list(BLOCKS)}"
        )
    revocations = RevocationState()
    keys = keys or KeySource(jwks_fetcher(settings.jwks_url))
    verifier = TokenVerifier(
        keys,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        leeway=settings.token_leeway,
        revocations=revocations,
    )
    upstreams = Upstreams(settings.upstreams, channel_factory(settings), interval=settings.health_interval)
    audit = AuditSink(settings.audit_path)
    redis = redis if redis is not None else connect_redis(settings.redis_url)
    limiter = RateLimiter(settings, redis)
    forwarder = Forwarder(
        routes if routes is not None else contract_routes(),
        upstreams,
        Authorizer(verifier),
        limiter,
        audit,
        retry_reads=settings.retry_reads,
        default_timeout=settings.default_timeout,
        proxies=trusted_proxies(settings),
        streaming=build_streaming,
    )
    certificate = server_certificate(settings)
    runtime_settings = settings
    if certificate is not None:  # the runtime would bind a static-certificate port; bind a reloading one here
        runtime_settings = settings.model_copy(
            update={"tls_cert_file": None, "tls_key_file": None, "tls_client_ca_file": None, "port": -1}
        )
    bus = bus if bus is not None else connect_bus(settings.bus_url)
    events = IdentityEvents(revocations, keys)

    async def prefetch_keys() -> None:
        with contextlib.suppress(Exception):  # identity may start later; an unknown kid refreshes then
            await asyncio.wait_for(keys.refresh(force=True), timeout=2.0)

    async def subscribe() -> None:
        await events.subscribe(bus, "gateway")

    async def close() -> None:
        await upstreams.close()
        audit.close()
        if redis is not None:
            with contextlib.suppress(Exception):
                await redis.aclose()
        if not settings.bus_url.startswith("memory://"):  # the in-process bus is shared with other services
            await bus.close()

    rest = build_rest_face(settings, forwarder) if settings.rest_port >= 0 else None
    app = ServiceApp(
        name="gateway",
        settings=runtime_settings,
        register=lambda server: None,
        service_names=contract_services(),
        pipeline=RoutingInterceptor(forwarder),
        on_start=[subscribe, prefetch_keys, *([rest.start] if rest else [])],
        on_stop=[*([rest.stop] if rest else []), close],  # the REST face drains before upstreams close
        background=[upstreams.watch, audit.run],
    )
    gateway = Gateway(app, settings, forwarder, upstreams, limiter, revocations, rest=rest)

    def configure(server: grpc.aio.Server) -> None:
        server.add_generic_rpc_handlers((forwarder,))
        if certificate is not None and settings.port >= 0:
            gateway.tls_port = server.add_secure_port(
                f"{settings.host}:{settings.port}", certificate.credentials()
            )

    app.configure_server = configure
    return gateway


async def build(settings: Settings) -> ServiceApp:
    return (await build_gateway(settings)).app
