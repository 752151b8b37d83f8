"""grpc.aio server bootstrap shared by every service and the gateway.

A service's ``bootstrap.build(settings)`` returns a :class:`ServiceApp`; :class:`Server` runs it with health
(``grpc.health.v1``), optional reflection (v1 and v1alpha), the call pipeline, an HTTP side server (``/metrics``,
``/healthz`` and
the service's own routes) and a graceful stop: health NOT_SERVING first, then drain in-flight calls for the grace
period, then background tasks and the database are closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from aiohttp import web
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer

from . import metrics
from .auth import TokenVerifier
from .config import ServiceSettings
from .identity_events import IdentityEvents
from .interceptors import CallPipeline
from .reflection import enable_reflection

log = logging.getLogger("lienthong.server")

#: Options every server and benchmark channel uses: no SO_REUSEPORT, so a stale process on the same port
#: fails loudly instead of silently taking part of the traffic.
SERVER_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("grpc.so_reuseport", 0),
    ("grpc.max_receive_message_length", 8 * 1024 * 1024),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
)

#: The ``grpc.health.v1`` service name that reports only whether the process is alive (for liveness and
#: startup probes); the overall status ("") also requires the signing keys.
LIVENESS = "liveness"

Hook = Callable[[], Awaitable[None]]
Route = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]


@dataclass
class ServiceApp:
    """Everything needed to run one service; built by the service's composition root."""

    name: str
    settings: ServiceSettings
    #: Adds the servicers to a server: ``lambda server: add_XServicer_to_server(servicer, server)``.
    register: Callable[[grpc.aio.Server], None]
    #: Full names of the gRPC services registered (for health and reflection).
    service_names: Sequence[str]
    verifier: TokenVerifier | None = None
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    #: Long-running coroutines (outbox relay, workers, schedulers), cancelled at stop.
    background: list[Hook] = field(default_factory=list)
    http_routes: list[Route] = field(default_factory=list)
    interceptors: list[grpc.aio.ServerInterceptor] = field(default_factory=list)
    #: Replace the standard pipeline (the gateway brings its own).
    pipeline: grpc.aio.ServerInterceptor | None = None
    #: Called with the server before start, e.g. to add generic handlers (gateway).
    configure_server: Callable[[grpc.aio.Server], None] | None = None
    #: The bus on which identity publishes revocations and key rotations. When set (with a verifier), the server
    #: applies them to its verifier, so a service refuses revoked tokens and learns new keys as the gateway does.
    identity_events_bus: Any = None
    #: The service's SQLAlchemy async engine: when set, the server probes it (``SELECT 1``) every few seconds and
    #: exports ``lienthong_database_up`` so an outage is an alert, not a surprise.
    database: Any = None


def server_credentials(settings: ServiceSettings) -> grpc.ServerCredentials | None:
    """TLS credentials from settings (mutual TLS when a client CA is set), or None for plaintext."""
    if not settings.tls_cert_file or not settings.tls_key_file:
        return None
    key = Path(settings.tls_key_file).read_bytes()
    chain = Path(settings.tls_cert_file).read_bytes()
    ca = Path(settings.tls_client_ca_file).read_bytes() if settings.tls_client_ca_file else None
    return grpc.ssl_server_credentials(
        [(key, chain)], root_certificates=ca, require_client_auth=ca is not None
    )


class Server:
    """Runs one :class:`ServiceApp`."""

    def __init__(self, app: ServiceApp) -> None:
        self.app = app
        self.health = HealthServicer()
        self.grpc: grpc.aio.Server | None = None
        self._http: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.bound_port: int = 0
        self.http_port: int = 0

    async def start(self) -> None:
        app, settings = self.app, self.app.settings
        pipeline = app.pipeline or CallPipeline(app.name, app.verifier)
        server = grpc.aio.server(
            interceptors=[pipeline, *app.interceptors],
            options=SERVER_OPTIONS,
            maximum_concurrent_rpcs=settings.max_concurrent_rpcs,
        )
        app.register(server)
        if app.configure_server:
            app.configure_server(server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        names = [*app.service_names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name]
        if settings.reflection:
            enable_reflection(server, names)
        credentials = server_credentials(settings)
        if settings.port >= 0 and settings.host:
            address = f"{settings.host}:{settings.port}"
            self.bound_port = (
                server.add_secure_port(address, credentials)
                if credentials
                else server.add_insecure_port(address)
            )
        if settings.unix_socket:
            server.add_insecure_port(f"unix:{settings.unix_socket}")
        for hook in app.on_start:
            await hook()
        await server.start()
        self.grpc = server
        # Liveness (the process runs and answers), apart from readiness (the overall status below): a service
        # waiting for identity's keys must not be restarted by a liveness probe, only kept out of rotation.
        await self.health.set(LIVENESS, health_pb2.HealthCheckResponse.SERVING)
        if await self._keys_loaded():
            await self._set_serving()
        else:
            # Identity is unreachable: serve (calls needing a token get UNAVAILABLE KEYS_UNAVAILABLE at once) but
            # report NOT_SERVING, so that orchestrators and load balancers route around this replica until the
            # keys are loaded.
            for name in ("", *app.service_names):
                await self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
            self._tasks.append(asyncio.create_task(self._load_keys_then_serve()))
        for job in app.background:
            self._tasks.append(asyncio.create_task(_supervised(app.name, job)))
        if app.database is not None:
            probe = DatabaseProbe(app.name, app.database, settings.database_probe_interval)
            self._tasks.append(asyncio.create_task(_supervised(app.name, probe.run)))
        if settings.tls_cert_file:
            metrics.TLS_CERT_EXPIRY.labels(app.name).set(certificate_expiry(settings.tls_cert_file))
        if app.identity_events_bus is not None and app.verifier is not None:
            await IdentityEvents(app.verifier.revocations, app.verifier.keys).subscribe(
                app.identity_events_bus, app.name
            )
        if settings.http_port or app.http_routes:
            await self._start_http()
        log.info(
            "serving",
            extra={
                "service": app.name,
                "port": self.bound_port,
                "http_port": self.http_port,
                "unix_socket": settings.unix_socket or "",
            },
        )

    async def _keys_loaded(self) -> bool:
        """Whether the verifier (if any) holds identity's signing keys, fetching them once if not."""
        verifier = self.app.verifier
        if verifier is None or verifier.keys.loaded:
            return True
        try:
            await verifier.keys.refresh(force=True)
        except Exception:
            return False
        return verifier.keys.loaded

    async def _set_serving(self) -> None:
        for name in self.app.service_names:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        await self.health.set("", health_pb2.HealthCheckResponse.SERVING)
        self._ready = True

    async def _load_keys_then_serve(self) -> None:
        verifier = self.app.verifier
        assert verifier is not None
        while not self._stopping:
            await asyncio.sleep(verifier.keys.failure_backoff)
            if self._stopping:
                return
            if await self._keys_loaded():
                if not self._stopping:
                    await self._set_serving()
                    log.info("signing keys loaded; serving", extra={"service": self.app.name})
                return

    async def _start_http(self) -> None:
        http = web.Application()

        async def metrics_route(_: web.Request) -> web.Response:
            return web.Response(body=metrics.exposition(), content_type="text/plain", charset="utf-8")

        async def healthz(_: web.Request) -> web.Response:
            serving = self.grpc is not None and self._ready and not self._stopping
            return web.json_response(
                {"status": "SERVING" if serving else "NOT_SERVING"}, status=200 if serving else 503
            )

        http.router.add_get("/metrics", metrics_route)
        http.router.add_get("/healthz", healthz)
        for method, path, handler in self.app.http_routes:
            http.router.add_route(method, path, handler)
        self._http = web.AppRunner(http, access_log=None)
        await self._http.setup()
        site = web.TCPSite(self._http, self.app.settings.http_host, self.app.settings.http_port)
        await site.start()
        sockets = site._server.sockets if site._server else ()  # type: ignore[union-attr,attr-defined]
        self.http_port = sockets[0].getsockname()[1] if sockets else self.app.settings.http_port

    _stopping = False
    #: Health SERVING: set once started with the signing keys loaded, until stop.
    _ready = False

    async def stop(self, grace: float | None = None) -> None:
        """Health NOT_SERVING, drain in-flight calls for ``grace`` seconds, then close everything."""
        if self._stopping:
            return
        self._stopping = True
        grace = self.app.settings.grace_period if grace is None else grace
        await self.health.enter_graceful_shutdown()
        if self.grpc is not None:
            await self.grpc.stop(grace)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for hook in self.app.on_stop:
            try:
                await hook()
            except Exception:
                log.exception("stop hook failed", extra={"service": self.app.name})
        if self._http is not None:
            await self._http.cleanup()
        log.info("stopped", extra={"service": self.app.name})


class DatabaseProbe:
    """``SELECT 1`` on the service's engine every ``interval`` seconds, bounded by ``timeout``."""

    def __init__(self, service: str, engine: Any, interval: float = 5.0, timeout: float = 3.0) -> None:
        self.service, self.engine, self.interval, self.timeout = service, engine, interval, timeout

    async def check(self) -> bool:
        from sqlalchemy import text

        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout), self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            up = True
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("database probe failed", extra={"service": self.service, "error": type(exc).__name__})
            up = False
        metrics.DATABASE_UP.labels(self.service).set(1 if up else 0)
        metrics.DATABASE_PROBE_SECONDS.labels(self.service).set(time.perf_counter() - started)
        return up

    async def run(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(self.interval)


def certificate_expiry(path: str) -> float:
    """Unix time at which the first certificate of a PEM chain expires."""
    from cryptography import x509

    return x509.load_pem_x509_certificate(Path(path).read_bytes()).not_valid_after_utc.timestamp()


async def _supervised(name: str, job: Hook) -> None:
    """Run a background job, restarting it with a pause if it fails, until cancelled."""
    while True:
        try:
            await job()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background job failed; restarting", extra={"service": name})
            await asyncio.sleep(1.0)


async def serve_all(
    apps: Sequence[ServiceApp], *, ready: Callable[[list[Server]], None] | None = None
) -> int:
    """Run apps until SIGTERM/SIGINT, then stop them gracefully (reverse order). Returns the exit code."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    servers = [Server(app) for app in apps]
    started: list[Server] = []
    try:
        for server in servers:
            await server.start()
            started.append(server)
        if ready:
            ready(started)
        await stop.wait()
    finally:
        await asyncio.gather(*(s.stop() for s in reversed(started)))
    return 0


def run(apps: Sequence[ServiceApp], *, ready: Callable[[list[Server]], None] | None = None) -> int:
    """Blocking entry point: uvloop when available, then :func:`serve_all`."""
    try:
        import uvloop

        return uvloop.run(serve_all(apps, ready=ready))
    except ImportError:
        return asyncio.run(serve_all(apps, ready=ready))
