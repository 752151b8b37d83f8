"""What the contract says about each RPC: the ``lienthong.common.v1.access`` method option.

The gateway and every service enforce exactly this: the scopes a method declares, or ``public``. A method without
the option is refused (fail closed).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import MethodDescriptor

from lienthong.common.v1 import access_pb2

# The generated descriptors are typed as plain FieldDescriptors; the extension accessors want the generic form.
_ACCESS: Any = access_pb2.access
_SCOPES: Any = access_pb2.scopes

#: Modules whose import registers every service of the v1 contract in the default descriptor pool.
CONTRACT_MODULES = (
    "lienthong.identity.v1.identity_pb2",
    "lienthong.registry.v1.registry_pb2",
    "lienthong.payment.v1.payment_pb2",
    "lienthong.notify.v1.notify_pb2",
    "lienthong.documents.v1.documents_pb2",
    "lienthong.dossiers.v1.dossiers_pb2",
)


@dataclass(frozen=True)
class AccessRule:
    """The access option of one method: ``public``, or the scopes a token must all carry."""

    method: str
    scopes: frozenset[str]
    public: bool


def load_contract() -> None:
    """Import every service's descriptors so lookups by full method name work."""
    for name in CONTRACT_MODULES:
        importlib.import_module(name)


def full_method_name(method: MethodDescriptor) -> str:
    return f"/{method.containing_service.full_name}/{method.name}"


@cache
def access_rule(full_method: str) -> AccessRule | None:
    """The rule for ``/package.Service/Method``; None when the method is unknown or carries no option."""
    try:
        service_name, method_name = full_method.lstrip("/").rsplit("/", 1)
    except ValueError:
        return None
    pool = descriptor_pool.Default()
    try:
        service = pool.FindServiceByName(service_name)
    except KeyError:
        load_contract()
        try:
            service = pool.FindServiceByName(service_name)
        except KeyError:
            return None
    method = service.methods_by_name.get(method_name)
    if method is None or not method.GetOptions().HasExtension(_ACCESS):
        return None
    option = method.GetOptions().Extensions[_ACCESS]
    if not option.public and not option.scopes:
        return None
    return AccessRule(full_method, frozenset(option.scopes), option.public)


def contract_services() -> list[str]:
    """Full names of every service in the v1 contract."""
    load_contract()
    pool = descriptor_pool.Default()
    names: list[str] = []
    for module in CONTRACT_MODULES:
        file = importlib.import_module(module).DESCRIPTOR
        names.extend(
            pool.FindFileByName(file.name).services_by_name[s].full_name for s in file.services_by_name
        )
    return names


def contract_methods() -> list[str]:
    """Every ``/package.Service/Method`` of the contract."""
    pool = descriptor_pool.Default()
    return [full_method_name(m) for s in contract_services() for m in pool.FindServiceByName(s).methods]


def scope_descriptions() -> dict[str, str]:
    """The scope catalogue declared by each service's ``lienthong.common.v1.scopes`` option, with descriptions.

    It includes scopes that guard no RPC by themselves (such as ``notify.test_mode``).
    """
    pool = descriptor_pool.Default()
    described: dict[str, str] = {}
    for name in contract_services():
        options = pool.FindServiceByName(name).GetOptions()
        for definition in options.Extensions[_SCOPES]:
            described[definition.name] = definition.description
    return described


def scope_catalogue() -> frozenset[str]:
    """Every scope the contract names (service declarations and method rules): the catalogue from which
    identity grants scopes to clients."""
    scopes: set[str] = set(scope_descriptions())
    for method in contract_methods():
        rule = access_rule(method)
        if rule:
            scopes |= rule.scopes
    return frozenset(scopes)
