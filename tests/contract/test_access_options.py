"""Authorization is part of the contract: every RPC states its scopes or that it is public, and the contract
follows the conventions of proto/README.md."""

import re

import pytest
from google.protobuf.descriptor import FieldDescriptor, ServiceDescriptor

from lienthong.common.v1 import access_pb2
from lienthong.identity.v1 import identity_pb2
from lienthong.notify.v1 import notify_pb2
from lienthong.payment.v1 import payment_pb2
from lienthong.registry.v1 import registry_pb2

SCOPE = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")
SERVICES: list[ServiceDescriptor] = [
    service
    for module in (identity_pb2, registry_pb2, payment_pb2, notify_pb2)
    for service in module.DESCRIPTOR.services_by_name.values()
]
METHODS = [(s, m) for s in SERVICES for m in s.methods]
IDS = [f"{s.name}.{m.name}" for s, m in METHODS]


def _rule(method) -> access_pb2.AccessRule:  # type: ignore[no-untyped-def]
    options = method.GetOptions()
    assert options.HasExtension(access_pb2.access), f"{method.full_name} has no (lienthong.common.v1.access)"
    return options.Extensions[access_pb2.access]


def _catalogue(service: ServiceDescriptor) -> dict[str, str]:
    return {d.name: d.description for d in service.GetOptions().Extensions[access_pb2.scopes]}


def test_every_service_is_found() -> None:
    names = {s.full_name for s in SERVICES}
    assert names == {
        "lienthong.identity.v1.IdentityService",
        "lienthong.registry.v1.RegistryService",
        "lienthong.payment.v1.PaymentService",
        "lienthong.notify.v1.NotifyService",
    }


@pytest.mark.parametrize(("service", "method"), METHODS, ids=IDS)
def test_method_has_access_rule(service: ServiceDescriptor, method) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(method)
    assert rule.public != bool(rule.scopes), f"{method.full_name}: exactly one of public / scopes"
    for scope in rule.scopes:
        assert SCOPE.match(scope), f"{method.full_name}: malformed scope {scope!r}"
        assert scope in _catalogue(service), (
            f"{method.full_name}: {scope!r} missing from the service catalogue"
        )


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
def test_catalogue_is_documented(service: ServiceDescriptor) -> None:
    catalogue = _catalogue(service)
    assert catalogue, f"{service.full_name} declares no scopes"
    for name, description in catalogue.items():
        assert SCOPE.match(name), name
        assert description.strip(), f"{service.full_name}: scope {name} has no description"


def test_public_methods_are_the_expected_few() -> None:
    public = {m.full_name for _, m in METHODS if _rule(m).public}
    assert public == {
        f"lienthong.identity.v1.IdentityService.{name}"
        for name in ("IssueToken", "GetJwks", "RevokeToken", "RegisterCitizen", "Login", "RefreshToken")
    }


@pytest.mark.parametrize(("service", "method"), METHODS, ids=IDS)
def test_request_response_naming(service: ServiceDescriptor, method) -> None:  # type: ignore[no-untyped-def]
    assert method.input_type.name == f"{method.name}Request"
    assert method.output_type.name == f"{method.name}Response"


@pytest.mark.parametrize(("service", "method"), METHODS, ids=IDS)
def test_lists_are_paginated(service: ServiceDescriptor, method) -> None:  # type: ignore[no-untyped-def]
    request, response = method.input_type.fields_by_name, method.output_type.fields_by_name
    repeated_messages = [f for f in method.output_type.fields if _is_repeated(f) and f.type == f.TYPE_MESSAGE]
    paginated = method.name.startswith(("List", "Search")) or (
        "page_token" in request and method.name != "SendBatch"
    )
    if not paginated:
        return
    assert request["page_size"].type == FieldDescriptor.TYPE_INT32
    assert request["page_token"].type == FieldDescriptor.TYPE_STRING
    assert response["next_page_token"].type == FieldDescriptor.TYPE_STRING
    assert repeated_messages, f"{method.full_name} paginates nothing"


def _is_repeated(field: FieldDescriptor) -> bool:
    # protobuf 7 dropped `label` in favour of `is_repeated`.
    if hasattr(field, "is_repeated"):
        return bool(field.is_repeated)
    return bool(field.label == FieldDescriptor.LABEL_REPEATED)


MONEY_OR_MESSAGES = {
    "PaymentService": {"CreatePayment", "CreateRefund"},
    "NotifyService": {"SendEmail", "SendSms", "SendBatch"},
}


@pytest.mark.parametrize(("service", "method"), METHODS, ids=IDS)
def test_money_and_messages_are_idempotent(service: ServiceDescriptor, method) -> None:  # type: ignore[no-untyped-def]
    if method.name in MONEY_OR_MESSAGES.get(service.name, set()):
        assert "idempotency_key" in method.input_type.fields_by_name


@pytest.mark.parametrize(("service", "method"), METHODS, ids=IDS)
def test_tenant_calls_take_no_agency_id(service: ServiceDescriptor, method) -> None:  # type: ignore[no-untyped-def]
    """The agency comes from the token; only platform-level calls may name one."""
    platform_level = {"identity.agencies.admin", "identity.agencies.read", "registry.policies.admin"}
    if "agency_id" in method.input_type.fields_by_name:
        assert set(_rule(method).scopes) & platform_level, (
            f"{method.full_name} takes agency_id from the request"
        )


def test_money_fields_are_integer_dong() -> None:
    for module in (payment_pb2,):
        for message in module.DESCRIPTOR.message_types_by_name.values():
            for f in message.fields:
                if f.name.endswith("_vnd"):
                    assert f.type == FieldDescriptor.TYPE_INT64, f"{message.name}.{f.name}"
