"""Reading the GovStack Data API's request shapes (``{"query": {"content": {...}}}``, ``{"write": ...}``, query
parameters) into the registry's fields; every mistake is a 400 with a ``BadRequest`` naming the field."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

from lienthong.common.v1 import date_pb2
from lienthong_runtime.errors import DomainError

from .problems import Response
from .transcode import bad_request, parse_error

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
M = TypeVar("M", bound=Message)


class NeverDeleted(DomainError):
    """The registry never deletes a record; the Data API's delete is answered 405 (see GOVSTACK.md)."""

    code = "UNIMPLEMENTED"
    reason = "RECORDS_NEVER_DELETED"


def body_json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body) if body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise bad_request("", f"the body is not valid JSON ({error})", reason="MALFORMED_REQUEST") from None
    if not isinstance(value, dict):
        raise bad_request("", "the request body must be a JSON object", reason="MALFORMED_REQUEST")
    return value


def has(body: bytes, key: str) -> bool:
    return key in body_json(body)


def content(body: bytes, key: str) -> dict[str, Any]:
    """``body[key]["content"]``, which must be a JSON object."""
    outer = body_json(body).get(key)
    inner = outer.get("content") if isinstance(outer, dict) else None
    if not isinstance(inner, dict):
        raise bad_request(f"{key}.content", "required: a JSON object")
    return inner


def personal_id(found: dict[str, Any]) -> str:
    value = found.get("personal_id", found.get("personalId"))
    if not isinstance(value, str) or not value:
        raise bad_request("query.content.personal_id", "required: the 12-digit personal ID")
    return value


def parse(value: dict[str, Any], message: M, field: str) -> M:
    try:
        json_format.ParseDict(value, message)
    except json_format.ParseError as error:
        problem = parse_error(str(error))
        violation = problem.field_violations[0]
        path = f"{field}.{violation.field}" if violation.field else field
        raise bad_request(path, violation.description) from None
    return message


def purpose(query: dict[str, str]) -> str:
    value = query.get("purpose", "")
    if not value:
        raise bad_request(
            "purpose", "required: the purpose of the read (a purpose your disclosure policy names)"
        )
    return value


def legal_reason(query: dict[str, str]) -> str:
    value = query.get("legal_reason", query.get("legalReason", ""))
    if not value:
        raise bad_request("legal_reason", "required: the legal basis of the change")
    return value


def first(query: dict[str, str], *names: str) -> str:
    return next((query[n] for n in names if query.get(n)), "")


def integer(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise bad_request(field, f"expected an integer, got {value!r}") from None


def date(value: str, field: str) -> date_pb2.Date | None:
    if not value:
        return None
    found = _DATE.match(value)
    if found is None:
        raise bad_request(field, "expected a date YYYY-MM-DD")
    year, month, day = (int(x) for x in found.groups())
    return date_pb2.Date(year=year, month=month, day=day)


def with_detail(response: Response, status: int, detail: str) -> Response:
    """The template's ``{"detail": ...}`` beside the AIP-193 ``error`` for one status (404 on read)."""
    code, body, headers = response
    if code != status:
        return response
    value = json.loads(body)
    value["detail"] = detail
    return code, json.dumps(value, ensure_ascii=False).encode(), headers
