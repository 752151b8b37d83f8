"""HTTP request -> request message, by the HttpRule binding rules, through the proto3 JSON mapping.

- Path variables set the fields they name (``{policy.agency_id}`` sets a nested field); they win over the body.
- ``body: "*"``: the JSON object is the request message; every field not bound by the path comes from it, and
  query parameters are refused (nothing is left for them).
- ``body: "<field>"``: the JSON value is that field; other fields come from the query.
- no body: every field not bound by the path may come from the query (``page_size=10``,
  ``date.year=2026``, ``states=PAYMENT_STATE_SUCCESS&states=PAYMENT_STATE_FAILED``); a body is refused.

Field names may be the proto name or its lowerCamelCase JSON name, and values follow the proto3 JSON mapping
(``google.protobuf.json_format``; an unknown field is an error, not ignored). Every mistake is INVALID_ARGUMENT
with a ``BadRequest`` naming the field, which the REST face answers with HTTP 400.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from lienthong_runtime.errors import FieldViolation, InvalidArgument

from .rules import RestRoute

#: Well-known message types whose JSON form is a string or number, so a query parameter can carry them.
_SCALAR_MESSAGES = {
    "google.protobuf.Timestamp",
    "google.protobuf.Duration",
    "google.protobuf.FieldMask",
    "google.protobuf.StringValue",
    "google.protobuf.BytesValue",
    "google.protobuf.BoolValue",
    "google.protobuf.Int32Value",
    "google.protobuf.Int64Value",
    "google.protobuf.UInt32Value",
    "google.protobuf.UInt64Value",
    "google.protobuf.FloatValue",
    "google.protobuf.DoubleValue",
}
_PARSED_FIELD = re.compile(r"Failed to parse (\w+) field")
_NO_FIELD = re.compile(r'has no field named "([^"]+)"')


def bad_request(field: str, description: str, *, reason: str = "INVALID_ARGUMENT") -> InvalidArgument:
    return InvalidArgument(
        f"{field}: {description}" if field else description,
        reason=reason,
        field_violations=[FieldViolation(field, description)],
    )


def build_request(rest: RestRoute, variables: dict[str, str], query: str, body: bytes) -> Message:
    """The request message for one HTTP request; raises ``InvalidArgument`` for any caller mistake."""
    binding, descriptor = rest.binding, rest.input
    data: dict[str, Any] = {}
    if binding.body == "*":
        parsed = _json(body) if body.strip() else {}
        if not isinstance(parsed, dict):
            raise bad_request("", "the request body must be a JSON object", reason="MALFORMED_REQUEST")
        data = parsed
    elif binding.body:
        if body.strip():
            data[binding.body] = _json(body)
    elif body.strip():
        raise bad_request("", "this method takes no request body; use query parameters")
    if query:
        if binding.body == "*":
            raise bad_request(
                query.split("=", 1)[0], "this method takes its fields in the JSON body, not the query"
            )
        seen: set[str] = set()
        for name, value in parse_qsl(query, keep_blank_values=True, strict_parsing=False):
            _set(descriptor, data, name, value, repeated_ok=True, seen=seen)
    for name, raw in variables.items():
        value = unquote(raw)
        if not value:
            raise bad_request(name, "missing path parameter", reason="MISSING_PATH_PARAMETER")
        _set(descriptor, data, name, value, override=True)
    message = rest.request_type()
    try:
        json_format.ParseDict(data, message, ignore_unknown_fields=False)
    except json_format.ParseError as error:
        raise parse_error(str(error)) from None
    except (TypeError, ValueError, AttributeError) as error:  # a JSON shape the parser did not expect
        raise bad_request("", f"the request does not match the message: {error}") from None
    return message


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise bad_request("", f"the body is not valid JSON ({error})", reason="MALFORMED_REQUEST") from None


def _set(
    descriptor: Descriptor,
    data: dict[str, Any],
    path: str,
    value: str,
    *,
    override: bool = False,
    repeated_ok: bool = False,
    seen: set[str] | None = None,
) -> None:
    """Set ``path`` (``a.b.c``, proto or JSON names) in the JSON-shaped ``data`` from a string value."""
    names = path.split(".")
    node, current = data, descriptor
    for depth, name in enumerate(names):
        field = _field(current, name)
        if field is None:
            raise bad_request(path, f"unknown field {name!r}")
        key = _key(node, field)
        if depth < len(names) - 1:
            if field.message_type is None or _is_repeated(field) or field.message_type.GetOptions().map_entry:
                raise bad_request(path, f"{name!r} is not a message field that can be addressed by path")
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise bad_request(path, f"{name!r} must be a JSON object")
            node, current = child, field.message_type
            continue
        if field.message_type is not None and field.message_type.full_name not in _SCALAR_MESSAGES:
            raise bad_request(path, "a message field cannot be given as one value; use its sub-fields")
        converted = _scalar(field, value)
        if override:
            node.pop(field.json_name, None)
            node[field.name] = converted
        elif _is_repeated(field):
            if not repeated_ok:
                raise bad_request(path, "a repeated field cannot be bound here")
            existing = node.setdefault(key, [])
            if not isinstance(existing, list):
                raise bad_request(path, "given more than once in different ways")
            existing.append(converted)
        else:
            if seen is not None:
                if path in seen:
                    raise bad_request(path, "given more than once; it is not a repeated field")
                seen.add(path)
            node[key] = converted


def _field(descriptor: Descriptor, name: str) -> FieldDescriptor | None:
    field = descriptor.fields_by_name.get(name)
    if field is None:
        field = next((f for f in descriptor.fields if f.json_name == name), None)
    return field


def _key(node: dict[str, Any], field: FieldDescriptor) -> str:
    """The key already used for ``field`` in ``node`` (proto or JSON name), else the proto name."""
    return field.json_name if field.json_name in node and field.name not in node else field.name


def _is_repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)  # protobuf >= 7 (pyproject) has no ``label``


def _scalar(field: FieldDescriptor, value: str) -> Any:
    """A query or path string in the JSON form the parser expects (only booleans need converting)."""
    if field.type == field.TYPE_BOOL:
        if value in ("true", "false"):
            return value == "true"
        raise bad_request(field.name, f"expected true or false, got {value!r}")
    return value


def parse_error(text: str) -> InvalidArgument:
    """A BadRequest naming the field from json_format's message (``Failed to parse a field: ...``)."""
    path = _PARSED_FIELD.findall(text)
    unknown = _NO_FIELD.search(text)
    if unknown:
        path.append(unknown.group(1))
        return bad_request(".".join(path), "unknown field")
    detail = text.split("field: ")[-1].split("\n", 1)[0].strip().rstrip(".")
    if " at " in detail:
        detail = detail.rsplit(" at ", 1)[0]
    return bad_request(".".join(path), f"wrong type or value: {detail}")
