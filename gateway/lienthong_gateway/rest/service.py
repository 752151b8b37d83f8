"""Composition of the REST face: route table from the contract, OpenAPI document, identity proxy, GovStack
routes and the HTTP listener, started and stopped with the gateway."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from ..config import Settings
from ..forwarding import Forwarder
from .app import RestApp
from .govstack import GovStackRoutes
from .proxy import IdentityProxy
from .rules import RouteTable, rest_routes
from .server import RestServer

#: The generated document (tools/gen_openapi.py writes it; a test checks that it is fresh).
OPENAPI_RESOURCE = "openapi.json"


def openapi_document() -> bytes:
    return (resources.files(__package__) / OPENAPI_RESOURCE).read_bytes()


@dataclass
class RestFace:
    """The REST face's parts; ``port`` is the bound HTTP port once started."""

    app: RestApp
    table: RouteTable
    server: RestServer
    proxy: IdentityProxy

    @property
    def port(self) -> int:
        return self.server.port

    async def start(self) -> None:
        await self.server.start()

    async def stop(self) -> None:
        await self.server.stop()
        await self.proxy.close()


def build_rest_face(settings: Settings, forwarder: Forwarder) -> RestFace:
    table = RouteTable(rest_routes(forwarder.routes))
    proxy = IdentityProxy(settings.identity_http_url, proxies=forwarder.proxies)
    app = RestApp(forwarder, table, openapi=openapi_document(), proxy=proxy, max_body=settings.rest_max_body)
    govstack = GovStackRoutes(app, table)
    app.extra[govstack.PREFIX] = govstack
    server = RestServer(
        app,
        settings.rest_host,
        settings.rest_port,
        certfile=settings.tls_cert_file,
        keyfile=settings.tls_key_file,
        grace=settings.grace_period,
    )
    return RestFace(app, table, server, proxy)
