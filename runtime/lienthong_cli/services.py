"""Which building blocks exist and where their composition roots live (by module name only, so that this
package never imports a service at import time and services never import each other)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    package: str
    #: Default ports in the embedded mode (gRPC, HTTP side server).
    port: int
    http_port: int
    migrates: bool = True

    def bootstrap(self) -> ModuleType:
        """The service's ``bootstrap`` module: ``load_settings(**overrides)`` and ``async build(settings)``."""
        return importlib.import_module(f"{self.package}.bootstrap")

    def cli(self) -> ModuleType | None:
        try:
            return importlib.import_module(f"{self.package}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"{self.package}.cli":
                raise
            return None


SERVICES: dict[str, ServiceEntry] = {
    "identity": ServiceEntry("identity", "lienthong_identity", 50061, 8061),
    "registry": ServiceEntry("registry", "lienthong_registry", 50062, 8062),
    "payment": ServiceEntry("payment", "lienthong_payment", 50063, 8063),
    "notify": ServiceEntry("notify", "lienthong_notify", 50064, 8064),
    "documents": ServiceEntry("documents", "lienthong_documents", 50065, 8065),
    "dossiers": ServiceEntry("dossiers", "lienthong_dossiers", 50066, 8066),
    "gateway": ServiceEntry("gateway", "lienthong_gateway", 50051, 8051, migrates=False),
    # The citizen portal: pages on its HTTP port, calling the platform through the gateway; no data of its own.
    "portal": ServiceEntry("portal", "lienthong_portal", 50070, 8070, migrates=False),
}
BUILDING_BLOCKS = ("identity", "registry", "payment", "notify", "documents", "dossiers")
