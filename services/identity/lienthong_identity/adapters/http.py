"""HTTP side routes: the JWKS and the OpenID discovery document, for verifiers that speak HTTP, not gRPC."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from ..config import Settings
from .keystore import KeyStore

Route = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]
JWKS_PATH = "/.well-known/jwks.json"
DISCOVERY_PATH = "/.well-known/openid-configuration"


def routes(settings: Settings, keys: KeyStore, catalogue: frozenset[str]) -> list[Route]:
    cache = f"public, max-age={settings.jwks_max_age}"

    async def jwks(_: web.Request) -> web.Response:
        return web.Response(
            text=keys.jwks_json, content_type="application/json", headers={"Cache-Control": cache}
        )

    async def discovery(request: web.Request) -> web.Response:
        base = (settings.public_base_url or f"{request.scheme}://{request.host}").rstrip("/")
        document = {
            "issuer": settings.token_issuer,
            "jwks_uri": base + JWKS_PATH,
            "grant_types_supported": ["client_credentials", "password", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["EdDSA", "ES256"],
            "id_token_signing_alg_values_supported": [settings.signing_algorithm],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "scopes_supported": sorted(catalogue),
            "claims_supported": [
                "iss",
                "aud",
                "sub",
                "jti",
                "iat",
                "exp",
                "scope",
                "agency_id",
                "client_id",
                "pid",
            ],
            # The token, introspection and revocation endpoints are gRPC methods of IdentityService.
            "grpc_service": "lienthong.identity.v1.IdentityService",
        }
        return web.json_response(document, headers={"Cache-Control": cache})

    return [("GET", JWKS_PATH, jwks), ("GET", DISCOVERY_PATH, discovery)]
