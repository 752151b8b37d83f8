"""GovStack Digital Registries BB Data API (template 1.3.0) for the citizen registry, on the REST face.

Every route becomes one (or two) registry RPCs through :meth:`RestApp.invoke`, so it gets the same token,
scope, rate-limit, audit and access-log treatment as the gRPC and ``/v1`` faces. ``registryName`` is
``citizens``, ``versionNumber`` is ``1.0``; ``content`` objects are the contract's proto3 JSON ``Citizen`` /
``CitizenView``. Departures from the template (a stated ``purpose`` on every read, no regex search, no hard
delete, ...) are listed route by route in services/registry/GOVSTACK.md.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import grpc
from google.protobuf import json_format
from google.protobuf.field_mask_pb2 import FieldMask

from lienthong.registry.v1 import registry_pb2
from lienthong_runtime.errors import DomainError

from . import govstack_bodies as bodies
from .app import Reply, RestApp, json_response
from .govstack_bodies import NeverDeleted
from .problems import Response, error_response, route_error
from .rules import RouteTable
from .transcode import bad_request

REGISTRY = "citizens"
VERSIONS = ("1.0", "1", "v1")
_SERVICE = "/lienthong.registry.v1.RegistryService/"
_VIEW_FIELDS = {f.name: f for f in registry_pb2.CitizenView.DESCRIPTOR.fields} | {
    f.json_name: f for f in registry_pb2.CitizenView.DESCRIPTOR.fields
}


class GovStackRoutes:
    """``/data/...``: dispatches on method and path, maps the template's bodies onto registry requests."""

    PREFIX = "/data/"

    def __init__(self, app: RestApp, table: RouteTable) -> None:
        self.app = app
        self.rpc = {
            path.rsplit("/", 1)[-1]: r for path, r in table.by_rpc.items() if path.startswith(_SERVICE)
        }

    async def __call__(self, scope: dict[str, Any], body: bytes) -> Response:
        method, parts = scope["method"], scope["path"][len(self.PREFIX) :].split("/")
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        if parts == ["mypersonalDataUsage"] and method == "GET":
            return await self.personal_data_usage(scope, query)
        if len(parts) < 2 or parts[0] != REGISTRY or parts[1] not in VERSIONS:
            return route_error(
                404,
                grpc.StatusCode.NOT_FOUND,
                f"this platform serves the registry {REGISTRY!r}, version 1.0",
                "REGISTRY_NOT_FOUND",
                "",
            )
        rest = parts[2:]
        handler = {
            ("GET", ()): self.list,
            ("POST", ("read",)): self.read,
            ("POST", ("exists",)): self.exists,
            ("POST", ("create",)): self.create,
            ("PUT", ("update",)): self.update,
            ("POST", ("updateOrCreate",)): self.update_or_create,
        }.get((method, tuple(rest)))
        if handler is not None:
            try:
                return await handler(scope, query, body)
            except DomainError as exc:  # a body read outside a call (updateOrCreate's choice of RPC)
                return error_response(exc, "")
        if method == "DELETE" and len(rest) == 2 and rest[1] == "delete":
            return await self.delete(scope)
        if method == "GET" and len(rest) == 3 and rest[1] == "readValue":
            return await self.read_value(scope, query, rest[0], rest[2])
        return route_error(404, grpc.StatusCode.NOT_FOUND, "no such Data API route", "ROUTE_NOT_FOUND", "")

    async def _call(self, rpc: str, scope: dict[str, Any], build: Any) -> Reply | Response:
        return await self.app.invoke(self.rpc[rpc], scope, build)

    async def list(self, scope: dict[str, Any], query: dict[str, str], body: bytes) -> Response:
        def build() -> registry_pb2.SearchCitizensRequest:
            for name in ("search", "filter", "ordering"):
                if query.get(name):
                    raise bad_request(
                        name,
                        "not supported: the registry finds citizens only by exact full name "
                        "and date of birth (query.full_name, query.date_of_birth)",
                    )
            if query.get("page", "1") != "1":
                raise bad_request("page", "pages are followed with the `next` link (page_token), not numbers")
            born = bodies.date(
                bodies.first(query, "query.date_of_birth", "query.dateOfBirth"), "query.date_of_birth"
            )
            return registry_pb2.SearchCitizensRequest(
                full_name=bodies.first(query, "query.full_name", "query.fullName"),
                date_of_birth=born,
                province_code=bodies.first(query, "query.province_code", "query.provinceCode"),
                purpose=bodies.purpose(query),
                page_size=bodies.integer(query.get("pageSize", "0"), "pageSize"),
                page_token=query.get("page_token", ""),
            )

        reply = await self._call("SearchCitizens", scope, build)
        if not isinstance(reply, Reply):
            return reply
        results = [json_format.MessageToDict(c) for c in reply.message.citizens]
        following = None
        if reply.message.next_page_token:
            params = {**query, "page_token": reply.message.next_page_token}
            following = f"{scope['path']}?{urlencode(params)}"
        page = {"count": len(results), "next": following, "previous": None, "results": results}
        return json_response(200, page, reply.request_id)

    async def read(self, scope: dict[str, Any], query: dict[str, str], body: bytes) -> Response:
        def build() -> registry_pb2.GetCitizenRequest:
            content = bodies.content(body, "query")
            return registry_pb2.GetCitizenRequest(
                personal_id=bodies.personal_id(content), purpose=bodies.purpose(query)
            )

        reply = await self._call("GetCitizen", scope, build)
        if not isinstance(reply, Reply):
            return bodies.with_detail(reply, 404, "no record found")
        return json_response(
            200, {"content": json_format.MessageToDict(reply.message.citizen)}, reply.request_id
        )

    async def exists(self, scope: dict[str, Any], query: dict[str, str], body: bytes) -> Response:
        def build() -> registry_pb2.VerifyCitizenRequest:
            content = dict(bodies.content(body, "query"))
            personal_id = bodies.personal_id(content)
            content.pop("personal_id", None), content.pop("personalId", None)
            claims = bodies.parse(content, registry_pb2.CitizenClaims(), "query.content")
            return registry_pb2.VerifyCitizenRequest(
                personal_id=personal_id, claims=claims, purpose=bodies.purpose(query)
            )

        reply = await self._call("VerifyCitizen", scope, build)
        if not isinstance(reply, Reply):
            return reply
        found = reply.message.result == registry_pb2.VERIFICATION_RESULT_MATCH
        message = "a record matches every claimed attribute" if found else "no record matches the claims"
        return json_response(200, {"answer": {"status": found, "message": message}}, reply.request_id)

    async def create(self, scope: dict[str, Any], query: dict[str, str], body: bytes) -> Response:
        def build() -> registry_pb2.CreateCitizenRequest:
            citizen = bodies.parse(bodies.content(body, "write"), registry_pb2.Citizen(), "write.content")
            return registry_pb2.CreateCitizenRequest(citizen=citizen, legal_reason=bodies.legal_reason(query))

        reply = await self._call("CreateCitizen", scope, build)
        if not isinstance(reply, Reply):
            return reply
        return json_response(
            200, {"content": json_format.MessageToDict(reply.message.citizen)}, reply.request_id
        )

    async def update(self, scope: dict[str, Any], query: dict[str, str], body: bytes) -> Response:
        def build() -> registry_pb2.UpdateCitizenRequest:
            found = bodies.content(body, "query")
            write = bodies.content(body, "write")
            version = found.get("version")
            if version is None:
                raise bad_request("query.content.version", "required: the version the update is based on")
            citizen = bodies.parse(write, registry_pb2.Citizen(), "write.content")
            paths = [_VIEW_FIELDS[k].name if k in _VIEW_FIELDS else k for k in write]
            return registry_pb2.UpdateCitizenRequest(
                personal_id=bodies.personal_id(found),
                expected_version=bodies.integer(str(version), "query.content.version"),
                citizen=citizen,
                update_mask=FieldMask(paths=paths),
                legal_reason=bodies.legal_reason(query),
            )

        reply = await self._call("UpdateCitizen", scope, build)
        if not isinstance(reply, Reply):
            return reply
        return json_response(
            200, {"content": json_format.MessageToDict(reply.message.citizen)}, reply.request_id
        )

    async def update_or_create(self, scope: dict[str, Any], query: dict[str, str], body: bytes) -> Response:
        """An update when ``query.content`` names a version, else a create of ``write.content`` (with the
        queried personal ID); an update of a record that does not exist becomes a create."""
        found = bodies.content(body, "query") if bodies.has(body, "query") else {}
        if "version" in found:
            response = await self.update(scope, query, body)
            if response[0] != 404:
                return response
        write = {**bodies.content(body, "write")}
        if found and "personalId" not in write and "personal_id" not in write:
            write["personal_id"] = bodies.personal_id(found)
        return await self.create(scope, query, json.dumps({"write": {"content": write}}).encode())

    async def delete(self, scope: dict[str, Any]) -> Response:
        """Records are never deleted (death is recorded through ``life_status``): admitted and audited as an
        UpdateCitizen attempt, then answered 405 with the reason."""

        def build() -> registry_pb2.UpdateCitizenRequest:
            raise NeverDeleted(
                "citizen records are never deleted; record a death with update "
                "(lifeStatus LIFE_STATUS_DECEASED and dateOfDeath)"
            )

        response = await self._call("UpdateCitizen", scope, build)
        if isinstance(response, Reply) or response[0] != 501:
            return response  # type: ignore[return-value]  # (a Reply cannot happen: build always raises)
        request_id = dict(response[2]).get(b"x-request-id", b"").decode()
        status, out, headers = route_error(
            405, grpc.StatusCode.UNIMPLEMENTED, NeverDeleted.__doc__ or "", NeverDeleted.reason, request_id
        )
        return status, out, [*headers, (b"allow", b""), (b"x-request-id", request_id.encode())]

    async def read_value(
        self, scope: dict[str, Any], query: dict[str, str], personal_id: str, leaf: str
    ) -> Response:
        name, _, ext = leaf.rpartition(".")

        def build() -> registry_pb2.GetCitizenRequest:
            if ext != "json":
                raise bad_request("ext", "only .json is served")
            if name not in _VIEW_FIELDS:
                raise bad_request("field", f"unknown field {name!r}")
            return registry_pb2.GetCitizenRequest(personal_id=personal_id, purpose=bodies.purpose(query))

        reply = await self._call("GetCitizen", scope, build)
        if not isinstance(reply, Reply):
            return bodies.with_detail(reply, 404, "no record found")
        field = _VIEW_FIELDS[name]
        if field.name not in reply.message.citizen.disclosed_fields and field.name != "personal_id":
            return route_error(
                403,
                grpc.StatusCode.PERMISSION_DENIED,
                f"{field.name} is not disclosed for this purpose",
                "FIELD_NOT_DISCLOSED",
                reply.request_id,
            )
        value = json_format.MessageToDict(reply.message.citizen, always_print_fields_with_no_presence=True)
        return json_response(200, {"value": value.get(field.json_name)}, reply.request_id)

    async def personal_data_usage(self, scope: dict[str, Any], query: dict[str, str]) -> Response:
        """``mypersonalDataUsage``: the calling citizen's access log (citizen token; ``userId`` must be theirs)."""

        def build() -> registry_pb2.ListMyAccessLogRequest:
            if query.get("databaseId", REGISTRY) != REGISTRY:
                raise bad_request("databaseId", f"this platform serves the registry {REGISTRY!r}")
            return registry_pb2.ListMyAccessLogRequest(
                page_size=bodies.integer(query.get("pageSize", "0"), "pageSize"),
                page_token=query.get("page_token", ""),
            )

        reply = await self._call("ListMyAccessLog", scope, build)
        if not isinstance(reply, Reply):
            return reply
        own = reply.principal.claims.get("pid") if reply.principal else None
        if query.get("userId") and query["userId"] != own:
            return route_error(
                403,
                grpc.StatusCode.PERMISSION_DENIED,
                "userId must be the calling citizen's own personal ID",
                "NOT_OWN_RECORD",
                reply.request_id,
            )
        usage = [_usage(entry) for entry in reply.message.entries]
        status, out, headers = json_response(200, usage, reply.request_id)
        if reply.message.next_page_token:
            link = f'<{scope["path"]}?page_token={quote(reply.message.next_page_token)}>; rel="next"'
            headers.append((b"link", link.encode()))
        return status, out, headers


def _usage(entry: registry_pb2.AccessLogEntry) -> dict[str, Any]:
    """An access-log entry as the template's ``personalDataUsage`` (its ``refrences`` spelling kept)."""
    return {
        "id": entry.id,
        "readerId": entry.client_id,
        "readerInstitutionId": entry.agency_id,
        "readerInstitutionName": entry.agency_name,
        "readerApplicationName": entry.client_id,
        "searchDateTime": entry.time.ToJsonString(),
        "refrences": [{"ReferenceId": entry.purpose}],
        "action": registry_pb2.AccessAction.Name(entry.action),
        "purpose": entry.purpose,
        "legalBasis": entry.legal_basis,
        "fieldsDisclosed": list(entry.fields_disclosed),
    }
