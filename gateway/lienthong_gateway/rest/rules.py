"""The REST routes of the contract: each method's ``google.api.http`` rule (and its ``additional_bindings``),
compiled once into a matcher per HTTP method.

Path templates follow the HttpRule grammar: ``/v1/agencies/{agency_id}/disclosurePolicies/{purpose}``,
``/v1/payments/{payment_id}:start``, nested field paths (``{policy.agency_id}``), ``*`` and ``**`` segments and
``{name=segments/*}`` patterns. A variable matches one or more characters other than ``/`` and ``:``; an empty
variable (``/v1/citizens//versions``) still matches, so the caller gets "missing path parameter" (400) rather
than a bare 404.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, MethodDescriptor

from ..routing import Route

_HTTP: Any = annotations_pb2.http
_VERBS = ("get", "put", "post", "delete", "patch")
_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:=([^}]*))?\}")


@dataclass(frozen=True)
class Binding:
    """One HTTP binding of one RPC."""

    http_method: str  # GET, POST, ...
    template: str  # the path template as written in the contract
    body: str  # "" (no body), "*" (every field not bound by the path) or a top-level field name
    variables: tuple[str, ...]  # field paths bound by the path, in order
    pattern: re.Pattern[str] = field(compare=False)


@dataclass(frozen=True)
class RestRoute:
    """A binding with the gRPC route it reaches and the request/response message types."""

    binding: Binding
    route: Route
    method: MethodDescriptor
    request_type: Any
    response_type: Any

    @property
    def input(self) -> Descriptor:
        return self.method.input_type


def compile_template(template: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """The regular expression of a path template and the field paths of its variables."""
    path, verb = template, ""
    last = template.rsplit("/", 1)[-1]
    if ":" in last and "}" not in last.split(":", 1)[1]:
        path, verb = template[: -(len(last) - last.index(":"))], last[last.index(":") :]
    variables: list[str] = []
    out, position = ["^"], 0
    for match in _VARIABLE.finditer(path):
        out.append(_literal(path[position : match.start()]))
        name, segments = match.group(1), match.group(2)
        variables.append(name)
        group = f"v{len(variables) - 1}"
        if segments is None or segments == "*":
            out.append(f"(?P<{group}>[^/:]*)")
        else:
            out.append(f"(?P<{group}>{_literal(segments)})")
        position = match.end()
    out.append(_literal(path[position:]))
    out.append(re.escape(verb) + "$")
    return re.compile("".join(out)), tuple(variables)


def _literal(text: str) -> str:
    """A literal part of a template, where ``**`` and ``*`` are wildcards."""
    parts = []
    for segment in re.split(r"(\*\*|\*)", text):
        if segment == "**":
            parts.append("[^:]+")
        elif segment == "*":
            parts.append("[^/:]+")
        else:
            parts.append(re.escape(segment))
    return "".join(parts)


def http_rules(method: MethodDescriptor) -> Iterator[http_pb2.HttpRule]:
    """The method's HttpRule and its additional bindings (none when the method has no annotation)."""
    options = method.GetOptions()
    if not options.HasExtension(_HTTP):
        return
    rule = options.Extensions[_HTTP]
    yield rule
    yield from rule.additional_bindings


def binding_of(rule: http_pb2.HttpRule) -> Binding:
    kind = rule.WhichOneof("pattern")
    if kind in _VERBS:
        verb, template = kind.upper(), getattr(rule, kind)
    elif kind == "custom":
        verb, template = rule.custom.kind.upper(), rule.custom.path
    else:
        raise ValueError(f"HttpRule without a pattern: {rule}")
    pattern, variables = compile_template(template)
    return Binding(verb, template, rule.body, variables, pattern)


def rest_routes(routes: Mapping[str, Route]) -> list[RestRoute]:
    """A REST route for every binding of every unary route that has a ``google.api.http`` option."""
    pool = descriptor_pool.Default()
    found: list[RestRoute] = []
    for path, route in routes.items():
        if route.client_streaming or route.server_streaming:
            continue  # gRPC only: a stream has no one-request, one-response HTTP shape
        service_name, method_name = path.lstrip("/").rsplit("/", 1)
        try:
            method = pool.FindServiceByName(service_name).methods_by_name[method_name]
        except KeyError:
            continue  # a route with no descriptor (injected by tests) has no HTTP binding
        for rule in http_rules(method):
            found.append(
                RestRoute(
                    binding_of(rule),
                    route,
                    method,
                    message_factory.GetMessageClass(method.input_type),
                    message_factory.GetMessageClass(method.output_type),
                )
            )
    return found


class RouteTable:
    """REST routes grouped by HTTP method, matched in a stable order (literal-heavy templates first)."""

    def __init__(self, routes: list[RestRoute]) -> None:
        self.routes = routes
        #: The first (main) binding of each RPC, by full method path.
        self.by_rpc: dict[str, RestRoute] = {}
        for route in routes:
            self.by_rpc.setdefault(route.route.method, route)
        self._by_method: dict[str, list[RestRoute]] = {}
        for route in sorted(routes, key=_specificity):
            self._by_method.setdefault(route.binding.http_method, []).append(route)

    def match(self, http_method: str, path: str) -> tuple[RestRoute | None, dict[str, str], bool]:
        """``(route, variables, path_known)``: the route and its raw (still percent-encoded) variables, or
        ``None`` and whether another HTTP method serves this path (405 rather than 404)."""
        for route in self._by_method.get(http_method, ()):
            found = route.binding.pattern.match(path)
            if found is not None:
                variables = found.groupdict()
                return (
                    route,
                    {name: variables[f"v{i}"] for i, name in enumerate(route.binding.variables)},
                    True,
                )
        known = any(
            route.binding.pattern.match(path)
            for method, routes in self._by_method.items()
            if method != http_method
            for route in routes
        )
        return None, {}, known


def _specificity(route: RestRoute) -> tuple[int, str]:
    # More variables match more paths; try templates with fewer variables first, then by text for stability.
    return (len(route.binding.variables), route.binding.template)
