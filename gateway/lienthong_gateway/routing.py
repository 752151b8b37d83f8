"""Which upstream a method goes to, what the contract requires of its caller, and its rate-limit class.

Routes are computed once per method from the contract's descriptors: the block is the proto package
(``lienthong.<block>.v1``), the rule is the ``lienthong.common.v1.access`` option, the streaming shape comes from
the method descriptor. Methods outside the contract have no route (UNIMPLEMENTED, nothing reaches an upstream).
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf import descriptor_pool

from lienthong_runtime.contract import AccessRule, access_rule, contract_services

#: Verbs whose methods only read; everything else counts as a write for rate limits and retries.
READ_VERBS = ("Get", "List", "Search", "Verify", "Introspect", "Preview")
BLOCKS = ("identity", "registry", "payment", "notify", "documents", "dossiers")


@dataclass(frozen=True)
class Route:
    """One forwardable method."""

    method: str  # /package.Service/Method
    block: str  # identity | registry | payment | notify | documents | dossiers
    rule: AccessRule | None  # None: the method declares no rule and is refused (fail closed)
    client_streaming: bool
    server_streaming: bool

    @property
    def method_class(self) -> str:
        name = self.method.rsplit("/", 1)[-1]
        return "read" if name.startswith(READ_VERBS) else "write"


def block_of(full_service: str) -> str | None:
    """``lienthong.registry.v1.RegistryService`` -> ``registry``; None outside the blocks' packages."""
    parts = full_service.split(".")
    if len(parts) == 4 and parts[0] == "lienthong" and parts[2] == "v1" and parts[1] in BLOCKS:
        return parts[1]
    return None


def contract_routes() -> dict[str, Route]:
    """A route for every method of every contract service, keyed by full method path."""
    pool = descriptor_pool.Default()
    routes: dict[str, Route] = {}
    for service_name in contract_services():
        block = block_of(service_name)
        if block is None:
            continue
        for method in pool.FindServiceByName(service_name).methods:
            path = f"/{service_name}/{method.name}"
            routes[path] = Route(
                path, block, access_rule(path), method.client_streaming, method.server_streaming
            )
    return routes
