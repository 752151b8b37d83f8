"""Identity: token issuance per second and token verification per second, with and without the verified-claims
cache, each as a ratio of the echo baseline of the same run.

Rows:
* ``IssueToken`` (client_secret): authenticate (HMAC), read client + agency, sign EdDSA, write the audit row.
* ``POST /oauth2/token`` (client_secret_basic over HTTP/1.1) on the same server: the same handler, as req/s and
  as a ratio of the ``IssueToken`` row (``x_IssueToken``); the two are measured in ABBA order (``_token_issue``).
* ``GetJwks`` without a token, then with a bearer token on a server whose verifier caches verified claims and on
  one that verifies every call: the difference is what verification costs inside a real gRPC call.
* In-process ``TokenVerifier.verify`` rate (no RPC), cached and uncached, in ``metrics``.

Run alone: ``python -m bench --only identity_tokens --duration 3``. Also a server entry point:
``python -m bench.scenarios.identity_tokens serve`` (settings from ``LIENTHONG_IDENTITY_*``) prints ``READY <port>``.
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
import time
from typing import Any

from bench.harness import BenchContext, Result
from bench.scenarios._token_issue import token_issue_rows
from lienthong.identity.v1 import identity_pb2 as pb

SERVICE = "/lienthong.identity.v1.IdentityService"


async def _seed(url: str, kek: str) -> tuple[str, str, Any]:
    from lienthong_identity.bootstrap import create_context, create_platform_agency, dispose, load_settings
    from lienthong_runtime import migrations

    await migrations.upgrade_async("lienthong_identity", url, "identity")
    ctx = create_context(load_settings(database_url=url, key_encryption_key=kek))
    try:
        admin = await create_platform_agency(ctx)
        await ctx.keys.ensure_current(ctx.now())
    finally:
        await dispose(ctx)
    return admin["client_id"], admin["client_secret"], ctx


async def _verify_rate(ctx: Any, tokens: list[str], cache: bool, seconds: float) -> float:
    from lienthong_runtime.auth import TokenVerifier

    await ctx.keys.reload()
    verifier = TokenVerifier(
        ctx.keys.key_source(),
        issuer=ctx.settings.token_issuer,
        audience=ctx.settings.token_audience,
        cache=cache,
    )
    for token in tokens:
        await verifier.verify(token)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for token in tokens:
            await verifier.verify(token)
        done += len(tokens)
    return done / (time.perf_counter() - started)


async def run(ctx: BenchContext) -> list[Result]:
    url = (await ctx.create_scratch_database("identity")).replace("postgresql://", "postgresql+asyncpg://", 1)
    kek = base64.urlsafe_b64encode(os.urandom(32)).decode()
    client_id, secret, seeded = await _seed(url, kek)
    env = {
        "LIENTHONG_IDENTITY_DATABASE_URL": url,
        "LIENTHONG_IDENTITY_KEY_ENCRYPTION_KEY": kek,
        "LIENTHONG_IDENTITY_LOG_LEVEL": "WARNING",
        "LIENTHONG_IDENTITY_KEY_ROTATION_INTERVAL": "0",
    }
    cached = await ctx.start_server(
        ["-m", "bench.scenarios.identity_tokens", "serve"],
        name="identity",
        # The HTTP side on a known port, without the per-address budget (all load comes from one address).
        env={
            **env,
            "LIENTHONG_IDENTITY_VERIFIER_CACHE": "true",
            "LIENTHONG_IDENTITY_HTTP_PORT": str(http_port := _free_port()),
            "LIENTHONG_IDENTITY_OAUTH_HTTP_RATE": "0",
        },
    )
    uncached = await ctx.start_server(
        ["-m", "bench.scenarios.identity_tokens", "serve"],
        name="identity-nocache",
        env={**env, "LIENTHONG_IDENTITY_VERIFIER_CACHE": "false"},
    )
    results = await token_issue_rows(ctx, cached, http_port, client_id, secret)
    token = await _token(cached.target, client_id, secret)
    auth = [("authorization", f"Bearer {token}")]
    jwks = pb.GetJwksRequest().SerializeToString()
    results.append(
        await ctx.measure(
            "identity GetJwks (no token)", cached.target, f"{SERVICE}/GetJwks", jwks, servers=[cached]
        )
    )
    results.append(
        await ctx.measure(
            "identity GetJwks + verify (cache)",
            cached.target,
            f"{SERVICE}/GetJwks",
            jwks,
            servers=[cached],
            metadata=auth,
        )
    )
    results.append(
        await ctx.measure(
            "identity GetJwks + verify (no cache)",
            uncached.target,
            f"{SERVICE}/GetJwks",
            jwks,
            servers=[uncached],
            metadata=auth,
        )
    )
    tokens = [await _token(cached.target, client_id, secret) for _ in range(20)]
    base = ctx.baseline.rps or 1.0
    with_cache = await _verify_rate(seeded, tokens, True, min(ctx.duration_s, 3.0))
    without = await _verify_rate(seeded, tokens, False, min(ctx.duration_s, 3.0))
    await seeded.sessions.kw["bind"].dispose()
    results.append(
        Result(
            "identity TokenVerifier.verify in-process",
            metrics={
                "verify_per_s_cache": round(with_cache),
                "verify_per_s_nocache": round(without),
                "cache_x_echo": round(with_cache / base, 2),
                "nocache_x_echo": round(without / base, 2),
            },
        )
    )
    return results


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _token(target: str, client_id: str, secret: str) -> str:
    import grpc

    from lienthong.identity.v1 import identity_pb2_grpc

    async with grpc.aio.insecure_channel(target) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        reply = await stub.IssueToken(pb.IssueTokenRequest(client_id=client_id, client_secret=secret))
        return reply.access_token


def _serve() -> int:
    from lienthong_identity.bootstrap import build, load_settings
    from lienthong_runtime.logs import configure_logging

    http = {} if "LIENTHONG_IDENTITY_HTTP_PORT" in os.environ else {"http_port": 0}
    settings = load_settings(host="127.0.0.1", port=0, **http)
    configure_logging(settings.log_level)

    async def main() -> int:
        from lienthong_runtime.server import serve_all

        application = await build(settings)
        return await serve_all(
            [application], ready=lambda servers: print(f"READY {servers[0].bound_port}", flush=True)
        )

    try:
        import uvloop

        return uvloop.run(main())
    except ImportError:
        return asyncio.run(main())


if __name__ == "__main__" and sys.argv[1:] == ["serve"]:
    sys.exit(_serve())
