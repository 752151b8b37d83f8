"""HTTP side routes: the JWKS, the authorization-server metadata (RFC 8414) and the OpenID discovery document, and
the OAuth 2.0 endpoints (``oauth_http``), for systems that speak HTTP and OAuth rather than gRPC.

The issuer is ``token_issuer``: the public URL where these routes are reached (directly or through the front
door), the ``iss`` of every token, and the base of every endpoint URL the metadata names, so a client that
knows only the issuer finds everything (RFC 8414 section 3 and OpenID Connect Discovery 1.0 section 4).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ..config import Settings
from ..domain.assertions import ACCEPTED
from ..handlers.context import Context
from .oauth_http import INTROSPECT_PATH, REVOKE_PATH, TOKEN_PATH, OAuthRoutes

Route = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]
JWKS_PATH = "/.well-known/jwks.json"
DISCOVERY_PATH = "/.well-known/openid-configuration"
METADATA_PATH = "/.well-known/oauth-authorization-server"
#: Claims an access token may carry (see services/identity/README.md for what each means).
CLAIMS = [
    "iss",
    "aud",
    "sub",
    "jti",
    "iat",
    "iat_ms",
    "exp",
    "scope",
    "agency",
    "agency_id",
    "client_id",
    "kind",
    "pid",
]


def metadata(settings: Settings, catalogue: frozenset[str]) -> dict[str, Any]:
    """The authorization-server metadata; also the OpenID discovery document (a superset of RFC 8414's)."""
    base = settings.token_issuer.rstrip("/")
    algorithms = sorted(set(ACCEPTED.values()))
    return {
        "issuer": settings.token_issuer,  # exactly the tokens' `iss`, which verifiers compare as a string
        "token_endpoint": base + TOKEN_PATH,
        "introspection_endpoint": base + INTROSPECT_PATH,
        "revocation_endpoint": base + REVOKE_PATH,
        "jwks_uri": base + JWKS_PATH,
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
        ],
        "token_endpoint_auth_signing_alg_values_supported": algorithms,
        # Revocation is open to whoever holds the token, as RevokeToken is. Introspection takes a bearer token
        # with the scope IntrospectToken requires (RFC 7662 section 2.1), which is no client authentication
        # method of the registry, so introspection_endpoint_auth_methods_supported is left out.
        "revocation_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": sorted(catalogue),
        "claims_supported": CLAIMS,
        # No authorization endpoint (machine clients only): no browser response type is offered. The access
        # tokens are signed with these algorithms; no ID token is issued.
        "response_types_supported": [],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algorithms,
        # The same operations as gRPC methods of this service.
        "grpc_service": "lienthong.identity.v1.IdentityService",
    }


def routes(ctx: Context) -> list[Route]:
    settings = ctx.settings
    cache = {"Cache-Control": f"public, max-age={settings.jwks_max_age}"}
    document = json.dumps(metadata(settings, ctx.catalogue))

    async def jwks(_: web.Request) -> web.Response:
        return web.Response(text=ctx.keys.jwks_json, content_type="application/json", headers=cache)

    async def discovery(_: web.Request) -> web.Response:
        return web.Response(text=document, content_type="application/json", headers=cache)

    return [
        ("GET", JWKS_PATH, jwks),
        ("GET", DISCOVERY_PATH, discovery),
        ("GET", METADATA_PATH, discovery),
        *OAuthRoutes(ctx).routes(),
    ]
