"""Access tokens for machine clients: obtain them from IdentityService, refresh them before they expire, and
attach them to calls as ``authorization: Bearer <token>``."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import grpc

from lienthong.client.calls import replace_aio_details, replace_sync_details

#: Refresh a token this many seconds before it expires (capped at half its lifetime).
REFRESH_MARGIN = 60.0


@dataclass(frozen=True)
class ClientCredentials:
    """A machine client's id and secret, as returned once by CreateClient.

    ``scopes`` narrows the token to what this caller needs (empty means every granted scope).
    """

    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ()

    def __repr__(self) -> str:  # never print the secret
        return f"ClientCredentials(client_id={self.client_id!r}, scopes={self.scopes!r})"


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and its lifetime, in ``time.time()`` seconds."""

    value: str
    expires_at: float
    obtained_at: float
    scopes: tuple[str, ...] = ()

    def __repr__(self) -> str:  # never print the token
        return f"AccessToken(expires_at={self.expires_at}, scopes={self.scopes!r})"

    def needs_refresh(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        """True once ``now`` is within ``margin`` (at most half the lifetime) of expiry."""
        lead = min(margin, (self.expires_at - self.obtained_at) / 2)
        return now >= self.expires_at - lead

    def expired(self, now: float) -> bool:
        return now >= self.expires_at


def _issue_token_request(credentials: ClientCredentials) -> Any:
    from lienthong.identity.v1 import identity_pb2

    return identity_pb2.IssueTokenRequest(
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        scopes=list(credentials.scopes),
    )


def _to_token(response: Any, now: float) -> AccessToken:
    if response.HasField("expire_time"):
        expires_at = response.expire_time.seconds + response.expire_time.nanos / 1e9
    else:
        expires_at = now + response.expires_in
    return AccessToken(response.access_token, expires_at, now, tuple(response.scopes))


class TokenSource:
    """Caches an access token and fetches a new one shortly before it expires (asyncio).

    Concurrent callers share one fetch. If a refresh fails while the cached token is still valid, the cached
    token is used and the next call tries again; once it has expired, the error propagates.

    ``fetch`` returns an :class:`AccessToken`; :meth:`from_client_credentials` builds one that calls
    ``IdentityService.IssueToken``. ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[AccessToken]],
        *,
        refresh_margin: float = REFRESH_MARGIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._margin = refresh_margin
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_client_credentials(
        cls,
        channel: grpc.aio.Channel,
        credentials: ClientCredentials,
        *,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> TokenSource:
        """A token source that exchanges ``credentials`` through ``IdentityService.IssueToken`` on ``channel``
        (a channel to identity or to the gateway; the RPC is public, so it needs no token itself)."""
        from lienthong.identity.v1 import identity_pb2_grpc

        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        clock: Callable[[], float] = kwargs.get("clock", time.time)

        async def fetch() -> AccessToken:
            response = await stub.IssueToken(_issue_token_request(credentials), timeout=timeout)
            return _to_token(response, clock())

        return cls(fetch, **kwargs)

    async def token(self) -> str:
        """A valid access token, fetching a new one if the cached one is missing or close to expiry."""
        current = self._token
        if current is not None and not current.needs_refresh(self._clock(), self._margin):
            return current.value
        async with self._lock:
            current = self._token
            now = self._clock()
            if current is not None and not current.needs_refresh(now, self._margin):
                return current.value  # another caller refreshed while we waited
            try:
                self._token = await self._fetch()
            except Exception:
                if current is not None and not current.expired(self._clock()):
                    return current.value
                raise
            return self._token.value

    def invalidate(self) -> None:
        """Forget the cached token (for example after the server answered UNAUTHENTICATED)."""
        self._token = None


class SyncTokenSource:
    """Synchronous twin of :class:`TokenSource` (thread-safe)."""

    def __init__(
        self,
        fetch: Callable[[], AccessToken],
        *,
        refresh_margin: float = REFRESH_MARGIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._margin = refresh_margin
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_client_credentials(
        cls,
        channel: grpc.Channel,
        credentials: ClientCredentials,
        *,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> SyncTokenSource:
        """See :meth:`TokenSource.from_client_credentials`."""
        from lienthong.identity.v1 import identity_pb2_grpc

        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        clock: Callable[[], float] = kwargs.get("clock", time.time)

        def fetch() -> AccessToken:
            return _to_token(stub.IssueToken(_issue_token_request(credentials), timeout=timeout), clock())

        return cls(fetch, **kwargs)

    def token(self) -> str:
        """A valid access token, fetching a new one if the cached one is missing or close to expiry."""
        with self._lock:
            current = self._token
            if current is not None and not current.needs_refresh(self._clock(), self._margin):
                return current.value
            try:
                self._token = self._fetch()
            except Exception:
                if current is not None and not current.expired(self._clock()):
                    return current.value
                raise
            return self._token.value

    def invalidate(self) -> None:
        """Forget the cached token."""
        with self._lock:
            self._token = None


@lru_cache(maxsize=1)
def _public_methods() -> frozenset[str]:
    """Full method names (``/pkg.Service/Method``) that the contract marks ``public: true``."""
    from lienthong.common.v1 import access_pb2
    from lienthong.identity.v1 import identity_pb2
    from lienthong.notify.v1 import notify_pb2
    from lienthong.payment.v1 import payment_pb2
    from lienthong.registry.v1 import registry_pb2

    public = set()
    for module in (identity_pb2, registry_pb2, payment_pb2, notify_pb2):
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                if method.GetOptions().Extensions[access_pb2.access].public:
                    public.add(f"/{service.full_name}/{method.name}")
    return frozenset(public)


def is_public_method(method: str | bytes) -> bool:
    """Whether a full method name is public in the contract (such calls never carry a token)."""
    name = method.decode() if isinstance(method, bytes) else method
    return name in _public_methods()


def _with_bearer(metadata: Any, token: str) -> list[tuple[str, str | bytes]]:
    kept = [(k, v) for k, v in (metadata or ()) if k.lower() != "authorization"]
    return [*kept, ("authorization", f"Bearer {token}")]


class AuthInterceptor(
    grpc.aio.UnaryUnaryClientInterceptor,
    grpc.aio.UnaryStreamClientInterceptor,
    grpc.aio.StreamUnaryClientInterceptor,
    grpc.aio.StreamStreamClientInterceptor,
):
    """Adds ``authorization: Bearer <token>`` from a :class:`TokenSource` to every non-public call."""

    def __init__(self, token_source: TokenSource) -> None:
        self.token_source = token_source

    async def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        if is_public_method(details.method):
            return details
        token = await self.token_source.token()
        metadata = grpc.aio.Metadata(*_with_bearer(details.metadata, token))
        return replace_aio_details(details, metadata=metadata)

    async def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return await continuation(await self._details(client_call_details), request)

    async def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return await continuation(await self._details(client_call_details), request)

    async def intercept_stream_unary(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return await continuation(await self._details(client_call_details), request_iterator)

    async def intercept_stream_stream(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return await continuation(await self._details(client_call_details), request_iterator)


class SyncAuthInterceptor(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Synchronous twin of :class:`AuthInterceptor`.

    (``grpc.metadata_call_credentials`` would also work, but only over TLS; an interceptor works on the
    plaintext channels of the embedded mode too.)
    """

    def __init__(self, token_source: SyncTokenSource) -> None:
        self.token_source = token_source

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        if is_public_method(details.method):
            return details
        return replace_sync_details(
            details, metadata=_with_bearer(details.metadata, self.token_source.token())
        )

    def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]
        return continuation(self._details(client_call_details), request_iterator)
