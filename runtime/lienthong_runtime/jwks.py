"""Where services fetch identity's public keys: over HTTP (``/.well-known/jwks.json``) or gRPC (``GetJwks``)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import grpc

from .auth import KeySource, RevocationState, TokenVerifier
from .config import ServiceSettings

#: Reconnect to identity within about a second after it restarts; gRPC's default backoff grows to two minutes,
#: during which every verification needing a key refresh would fail.
_RECONNECT_QUICKLY: tuple[tuple[str, Any], ...] = (
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 1000),
)


def jwks_fetcher(url: str, *, timeout: float = 2.0) -> Callable[[], Awaitable[Mapping[str, Any]]]:
    """A coroutine function returning the JWKS document from ``http(s)://...`` or ``grpc://host:port``.

    A fetch is made while a call waits for its token to be verified, so it fails fast: a refused connection at
    once, a hung identity after ``timeout`` seconds (the call then gets UNAVAILABLE ``KEYS_UNAVAILABLE``)."""
    if url.startswith(("http://", "https://")):

        async def fetch_http() -> Mapping[str, Any]:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
                session.get(url) as response,
            ):
                response.raise_for_status()
                return dict(await response.json(content_type=None))

        return fetch_http
    if url.startswith("grpc://"):
        target = url.removeprefix("grpc://")
        channel: grpc.aio.Channel | None = None

        async def fetch_grpc() -> Mapping[str, Any]:
            nonlocal channel
            from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc

            if channel is None:
                channel = grpc.aio.insecure_channel(target, options=_RECONNECT_QUICKLY)
            stub = identity_pb2_grpc.IdentityServiceStub(channel)
            # No wait_for_ready: while identity is down the fetch fails at once (the channel is in
            # TRANSIENT_FAILURE) instead of holding the caller's call for the whole timeout.
            response = await stub.GetJwks(identity_pb2.GetJwksRequest(), timeout=timeout)
            return dict(json.loads(response.jwks_json or '{"keys": []}'))

        return fetch_grpc
    raise ValueError("jwks_url must be http(s):// or grpc://")


def verifier_from_settings(
    settings: ServiceSettings, revocations: RevocationState | None = None, **kwargs: Any
) -> TokenVerifier:
    """The token verifier a service uses: identity's keys from ``settings.jwks_url``."""
    return TokenVerifier(
        KeySource(jwks_fetcher(settings.jwks_url)),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        revocations=revocations,
        **kwargs,
    )
