"""OpenAPI 3.1 for the REST face, generated from the contract.

Paths and operations come from the ``google.api.http`` rules (the same :class:`RouteTable` the gateway serves),
parameters and schemas from the message descriptors in the proto3 JSON mapping (lowerCamelCase names, 64-bit
integers as strings, enums as their names, well-known types as their JSON forms), descriptions from the proto
comments (a descriptor set with source info), security from the ``lienthong.common.v1.access`` options (the
OAuth 2.0 client-credentials scheme with the contract's scope catalogue), and errors in the AIP-193 shape.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

from lienthong_runtime.contract import scope_catalogue, scope_descriptions

from .rules import RestRoute, RouteTable

_F = FieldDescriptor
_SCALARS: dict[int, dict[str, Any]] = {
    _F.TYPE_STRING: {"type": "string"},
    _F.TYPE_BOOL: {"type": "boolean"},
    _F.TYPE_BYTES: {"type": "string", "contentEncoding": "base64"},
    _F.TYPE_DOUBLE: {"type": "number", "format": "double"},
    _F.TYPE_FLOAT: {"type": "number", "format": "float"},
    _F.TYPE_INT32: {"type": "integer", "format": "int32"},
    _F.TYPE_SINT32: {"type": "integer", "format": "int32"},
    _F.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    _F.TYPE_UINT32: {"type": "integer", "format": "int64", "minimum": 0},
    _F.TYPE_FIXED32: {"type": "integer", "format": "int64", "minimum": 0},
    # proto3 JSON writes 64-bit integers as strings (and reads either).
    _F.TYPE_INT64: {"type": "string", "format": "int64"},
    _F.TYPE_SINT64: {"type": "string", "format": "int64"},
    _F.TYPE_SFIXED64: {"type": "string", "format": "int64"},
    _F.TYPE_UINT64: {"type": "string", "format": "uint64"},
    _F.TYPE_FIXED64: {"type": "string", "format": "uint64"},
}
_WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {
        "type": "string",
        "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$",
        "examples": ["3600s"],
    },
    "google.protobuf.FieldMask": {
        "type": "string",
        "description": "Comma-separated lowerCamelCase field paths.",
    },
    "google.protobuf.Empty": {"type": "object"},
    "google.protobuf.Struct": {"type": "object"},
    "google.protobuf.Value": {},
    "google.protobuf.Any": {"type": "object", "properties": {"@type": {"type": "string"}}},
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "AIP-193 error: the google.rpc.Status of the call, with the HTTP status as `code`.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "status"],
            "properties": {
                "code": {"type": "integer", "description": "The HTTP status code."},
                "message": {"type": "string", "description": "A developer-facing explanation."},
                "status": {
                    "type": "string",
                    "description": "The google.rpc.Code name, e.g. INVALID_ARGUMENT.",
                },
                "details": {
                    "type": "array",
                    "description": "google.rpc.ErrorInfo (reason, domain lienthong.vn, metadata), BadRequest "
                    "(fieldViolations) and RetryInfo, each with its `@type`.",
                    "items": {"type": "object", "properties": {"@type": {"type": "string"}}},
                },
            },
        }
    },
}


def comments(files: descriptor_pb2.FileDescriptorSet) -> dict[str, str]:
    """Leading comments by full name (messages, fields, enums, values, services, methods)."""
    found: dict[str, str] = {}
    for file in files.file:
        by_path = {tuple(loc.path): loc.leading_comments for loc in file.source_code_info.location}
        prefix = file.package
        for i, message in enumerate(file.message_type):
            _walk_message(found, by_path, message, (4, i), prefix)
        for i, enum in enumerate(file.enum_type):
            _walk_enum(found, by_path, enum, (5, i), prefix)
        for i, service in enumerate(file.service):
            _note(found, f"{prefix}.{service.name}", by_path.get((6, i)))
            for j, method in enumerate(service.method):
                _note(found, f"{prefix}.{service.name}.{method.name}", by_path.get((6, i, 2, j)))
    return found


def _walk_message(
    found: dict[str, str], by_path: dict[Any, str], message: Any, path: tuple[int, ...], scope: str
) -> None:
    name = f"{scope}.{message.name}"
    _note(found, name, by_path.get(path))
    for i, field in enumerate(message.field):
        _note(found, f"{name}.{field.name}", by_path.get((*path, 2, i)))
    for i, nested in enumerate(message.nested_type):
        _walk_message(found, by_path, nested, (*path, 3, i), name)
    for i, enum in enumerate(message.enum_type):
        _walk_enum(found, by_path, enum, (*path, 4, i), name)


def _walk_enum(
    found: dict[str, str], by_path: dict[Any, str], enum: Any, path: tuple[int, ...], scope: str
) -> None:
    name = f"{scope}.{enum.name}"
    _note(found, name, by_path.get(path))
    for i, value in enumerate(enum.value):
        _note(found, f"{name}.{value.name}", by_path.get((*path, 2, i)))


def _note(found: dict[str, str], name: str, text: str | None) -> None:
    if text and text.strip():
        found[name] = " ".join(line.strip() for line in text.strip().splitlines())


class _Schemas:
    def __init__(self, docs: dict[str, str]) -> None:
        self.docs = docs
        self.components: dict[str, Any] = {}

    def field(self, field: FieldDescriptor) -> dict[str, Any]:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value = self.single(field.message_type.fields_by_name["value"])
            schema: dict[str, Any] = {"type": "object", "additionalProperties": value}
        elif _repeated(field):
            schema = {"type": "array", "items": self.single(field)}
        else:
            schema = self.single(field)
        text = self.docs.get(field.full_name)
        return {**schema, "description": text} if text else schema

    def single(self, field: FieldDescriptor) -> dict[str, Any]:
        if field.message_type is not None:
            return self.message(field.message_type)
        if field.enum_type is not None:
            return self.enum(field.enum_type)
        return dict(_SCALARS[field.type])

    def message(self, message: Descriptor) -> dict[str, Any]:
        if message.full_name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[message.full_name])
        ref = {"$ref": f"#/components/schemas/{message.full_name}"}
        if message.full_name not in self.components:
            self.components[message.full_name] = {}  # reserve first: messages may be recursive
            self.components[message.full_name] = self.object(message)
        return ref

    def object(self, message: Descriptor, *, without: set[str] | None = None) -> dict[str, Any]:
        properties = {
            f.json_name: self.field(f) for f in message.fields if not without or f.name not in without
        }
        schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        text = self.docs.get(message.full_name)
        return {**schema, "description": text} if text else schema

    def enum(self, enum: EnumDescriptor) -> dict[str, Any]:
        if enum.full_name not in self.components:
            values = [v.name for v in enum.values]
            lines = [
                f"- `{v.name}`: {self.docs[f'{enum.full_name}.{v.name}']}"
                for v in enum.values
                if f"{enum.full_name}.{v.name}" in self.docs
            ]
            text = "\n".join([self.docs.get(enum.full_name, ""), *lines]).strip()
            self.components[enum.full_name] = {"type": "string", "enum": values, "description": text}
        return {"$ref": f"#/components/schemas/{enum.full_name}"}


def _repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)  # protobuf >= 7 (pyproject) has no ``label``


def query_parameters(schemas: _Schemas, message: Descriptor, bound: set[str], prefix: str = "") -> list[Any]:
    """Every field a query string can set: scalars, enums, repeated scalars and sub-fields of messages."""
    params: list[Any] = []
    for field in message.fields:
        name = f"{prefix}{field.name}"
        if name in bound:
            continue
        nested = field.message_type
        if nested is not None and nested.full_name not in _WELL_KNOWN and not _repeated(field):
            params.extend(query_parameters(schemas, nested, bound, f"{name}."))
            continue
        if nested is not None and (_repeated(field) or nested.full_name not in _WELL_KNOWN):
            continue  # a repeated message or a map has no query form
        param: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schemas.field(field),
        }
        if _repeated(field):
            param.update(style="form", explode=True)
        params.append(param)
    return params


def operation(schemas: _Schemas, rest: RestRoute, operation_id: str) -> dict[str, Any]:
    method, binding, rule = rest.method, rest.binding, rest.route.rule
    message = method.input_type
    bound = set(binding.variables)
    params: list[Any] = []
    for variable in binding.variables:
        field: Any = message
        for part in variable.split("."):
            container: Any = field.message_type if isinstance(field, FieldDescriptor) else field
            field = container.fields_by_name[part]
        params.append({"name": variable, "in": "path", "required": True, "schema": schemas.field(field)})
    if not binding.body:
        params.extend(query_parameters(schemas, message, bound))
    text = schemas.docs.get(method.full_name, "")
    op: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [method.containing_service.name],
        "summary": text.split(". ", 1)[0].rstrip(".") if text else method.name,
        "description": text,
        "x-grpc-method": rest.route.method,
        "parameters": params,
        "responses": {
            "200": {
                "description": f"`{method.output_type.full_name}`",
                "content": {"application/json": {"schema": schemas.message(method.output_type)}},
            },
            "default": {"$ref": "#/components/responses/Error"},
        },
    }
    if binding.body == "*":
        top_bound = {v.split(".", 1)[0] for v in binding.variables}
        body_schema = schemas.object(message, without=top_bound)
        op["requestBody"] = {"required": False, "content": {"application/json": {"schema": body_schema}}}
    elif binding.body:
        body_field = message.fields_by_name[binding.body]
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schemas.field(body_field)}},
        }
    if rule is not None and rule.public:
        op["security"] = [{}]
    elif rule is not None:
        op["security"] = [{"oauth2": sorted(rule.scopes)}]
    return op


def build_openapi(table: RouteTable, files: descriptor_pb2.FileDescriptorSet) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the REST routes in ``table``."""
    schemas = _Schemas(comments(files))
    paths: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for rest in sorted(table.routes, key=lambda r: (r.route.method, r.binding.template)):
        name = rest.method.name
        counts[name] = counts.get(name, 0) + 1
        operation_id = name if counts[name] == 1 else f"{name}{counts[name]}"
        paths.setdefault(rest.binding.template, {})[rest.binding.http_method.lower()] = operation(
            schemas, rest, operation_id
        )
    tags = sorted({r.method.containing_service for r in table.routes}, key=lambda s: s.name)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Liên Thông REST/JSON API",
            "version": "v1",
            "description": "The v1 contract's REST face, transcoded by the gateway to the same gRPC calls "
            "(google.api.http rules, proto3 JSON mapping). Errors use the AIP-193 shape with the same "
            "google.rpc.ErrorInfo reasons as gRPC. Get a token with OAuth 2.0 client credentials.",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": s.name, "description": schemas.docs.get(s.full_name, "")} for s in tags],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {**dict(sorted(schemas.components.items())), "Error": ERROR_SCHEMA},
            "responses": {
                "Error": {
                    "description": "An error in the AIP-193 shape (HTTP status from the google.rpc.Code mapping).",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 client credentials; the token goes in `Authorization: Bearer`.",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "/oauth2/token",
                            "scopes": _scopes(),
                        }
                    },
                }
            },
        },
    }


def _scopes() -> dict[str, str]:
    """The contract's scope catalogue with each scope's description."""
    described = scope_descriptions()
    return {scope: described.get(scope, scope) for scope in sorted(scope_catalogue())}
