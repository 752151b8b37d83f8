"""Isolation: the matrix over every RPC that names an agency's resource (client, key, payment, refund, template,
notification, batch, agency). Another agency calling it with the owner's id gets exactly what it gets for an id
that does not exist (never OK, never a different answer that would confirm the id), through the gateway and on
the service's own port, and the owner's resources are unchanged afterwards. Registry records are national and
guarded by disclosure (test_disclosure.py).

Operator scopes (finding 8): agency administration belongs to the platform operator; the demo agency holds none
of it, no agency can be allowed or granted an operator scope, and ``platform.admin`` never reaches an agency's
client."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import grpc
from google.protobuf import descriptor_pool, message_factory

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong.notify.v1 import notify_pb2, notify_pb2_grpc
from lienthong.payment.v1 import payment_pb2, payment_pb2_grpc
from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc
from lienthong_runtime.contract import contract_methods, load_contract, scope_catalogue

from .attack import bearer, status
from .platforms import Target
from .tally import Cases

#: Request fields that name an agency's own resource; registry's national keys and tokens are other classes.
RESOURCE_FIELDS = (
    "agency_id",
    "client_id",
    "key_id",
    "payment_id",
    "refund_id",
    "template_id",
    "notification_id",
    "batch_id",
)
#: The platform operator's scopes (agency administration, every agency's policies, platform-wide checks).
OPERATOR_ONLY = frozenset({"platform.admin", "identity.agencies.admin", "registry.policies.admin"})
#: Documents' own resources (documents, attachments) are tried on every documents RPC from a third agency in
#: tests/documents/test_isolation.py; here its directory RPCs that name an agency are in the matrix. Dossiers'
#: own (dossiers by citizen and by agency) are in tests/dossiers/test_service.py; here its report filters.
BLOCK = {
    "identity": "identity",
    "registry": "registry",
    "payment": "payment",
    "notify": "notify",
    "documents": "documents",
    "dossiers": "dossiers",
}


def resource_methods() -> list[tuple[str, str, Any]]:
    """(full method, block, request class) of every contract RPC whose request names a resource."""
    load_contract()
    pool = descriptor_pool.Default()
    found = []
    for method in contract_methods():
        service, name = method.strip("/").split("/")
        descriptor = pool.FindServiceByName(service).methods_by_name[name]
        if name in ("IssueToken",):  # names the caller's own client: authentication, tested with tokens
            continue
        if (
            name == "ListProcedures"
        ):  # agency_id filters the public procedure catalogue: every agency reads it
            continue
        if any(f.name in RESOURCE_FIELDS for f in descriptor.input_type.fields):
            block = service.split(".")[1]
            found.append((method, block, message_factory.GetMessageClass(descriptor.input_type)))
    return found


def _other(value: str) -> str:
    """An id of the same shape that names nothing."""
    return value[:-8] + uuid.uuid4().hex[:8] if len(value) > 8 else uuid.uuid4().hex


async def _owner_resources(target: Target) -> dict[str, str]:
    token = await target.agency_token()
    md = bearer(token)
    async with target.channel() as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        client = await identity.CreateClient(
            identity_pb2.CreateClientRequest(
                display_name="isolation probe", scopes=["payment.payments.read"]
            ),
            metadata=md,
        )
        payments = payment_pb2_grpc.PaymentServiceStub(channel)
        payment = await payments.CreatePayment(
            payment_pb2.CreatePaymentRequest(
                amount_vnd=20_000,
                description="Lệ phí",
                reference=f"ISO-{uuid.uuid4().hex[:8]}",
                return_url="https://dichvucong.gov.vn/ket-qua",
                idempotency_key=str(uuid.uuid4()),
                provider=payment_pb2.PAYMENT_PROVIDER_SANDBOX,
            ),
            metadata=md,
        )
        paid = await payments.CreatePayment(
            payment_pb2.CreatePaymentRequest(
                amount_vnd=30_000,
                description="Lệ phí",
                reference=f"ISO-{uuid.uuid4().hex[:8]}",
                return_url="https://dichvucong.gov.vn/ket-qua",
                idempotency_key=str(uuid.uuid4()),
                provider=payment_pb2.PAYMENT_PROVIDER_SANDBOX,
            ),
            metadata=md,
        )
        await payments.StartPayment(
            payment_pb2.StartPaymentRequest(
                payment_id=paid.payment.id, sandbox_scenario=payment_pb2.SANDBOX_SCENARIO_SUCCESS
            ),
            metadata=md,
        )
        for _ in range(100):
            got = await payments.GetPayment(
                payment_pb2.GetPaymentRequest(payment_id=paid.payment.id), metadata=md
            )
            if got.payment.state == payment_pb2.PAYMENT_STATE_SUCCESS:
                break
            await asyncio.sleep(0.1)
        refund = await payments.CreateRefund(
            payment_pb2.CreateRefundRequest(
                payment_id=paid.payment.id,
                amount_vnd=1_000,
                refund_amount_available_vnd=30_000,
                reason="Hoàn một phần",
                idempotency_key=str(uuid.uuid4()),
            ),
            metadata=md,
        )
        notify = notify_pb2_grpc.NotifyServiceStub(channel)
        template = await notify.CreateTemplate(
            notify_pb2.CreateTemplateRequest(
                channel=notify_pb2.CHANNEL_EMAIL, name=f"iso-{uuid.uuid4().hex[:6]}", subject="S", body="B"
            ),
            metadata=md,
        )
        sent = await notify.SendEmail(
            notify_pb2.SendEmailRequest(
                template_id=template.template.id,
                email_address="iso@example.vn",
                idempotency_key=str(uuid.uuid4()),
            ),
            metadata=md,
        )
        batch = await notify.SendBatch(
            notify_pb2.SendBatchRequest(
                template_id=template.template.id,
                idempotency_key=str(uuid.uuid4()),
                recipients=[notify_pb2.BatchRecipient(recipient="iso2@example.vn")],
            ),
            metadata=md,
        )
    return {
        "agency_id": target.credentials["agency_id"],
        "client_id": client.client.client_id,
        "key_id": "kid-" + uuid.uuid4().hex,
        "payment_id": payment.payment.id,
        "refund_id": refund.refund.id,
        "template_id": template.template.id,
        "notification_id": sent.notification.id,
        "batch_id": batch.batch.id,
    }


async def _call(
    channel: grpc.aio.Channel, method: str, request: Any, token: str
) -> tuple[grpc.StatusCode, bytes]:
    """The status and the raw answer (empty unless OK)."""
    call = channel.unary_unary(
        method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=bytes
    )
    try:
        return grpc.StatusCode.OK, await call(request, metadata=bearer(token), timeout=15)
    except grpc.aio.AioRpcError as error:
        return error.code(), b""


async def test_no_agency_reaches_another_agencys_resources(target: Target) -> None:
    cases = Cases("isolation", target.name)
    owned = await _owner_resources(target)
    scopes = sorted(scope_catalogue() - OPERATOR_ONLY - {"citizen.self"})
    intruder = await target.new_agency(scopes)
    token = await target.token(intruder["client_id"], intruder["client_secret"])
    methods = resource_methods()
    cases.check(
        "the matrix covers every building block", {b for _, b, _ in methods} == set(BLOCK), str(methods)
    )
    for method, block, request_class in methods:
        fields = [f.name for f in request_class.DESCRIPTOR.fields if f.name in RESOURCE_FIELDS]
        real = request_class(**{f: owned[f] for f in fields})
        fake = request_class(**{f: _other(owned[f]) for f in fields})
        for door, address in (("gateway", target.gateway), (block, target.services[block])):
            async with target.channel(address) as channel:
                with_real = await _call(channel, method, real, token)
                with_fake = await _call(channel, method, fake, token)
            name = f"{method.rsplit('/', 1)[-1]}({', '.join(fields)}) @ {door}"
            # Refused exactly as for an id that does not exist; a filter (ListRefunds by payment, ListNotifications
            # by batch) may answer OK, with the same empty page.
            cases.check(
                name,
                with_real == with_fake and (with_real[0] != grpc.StatusCode.OK or with_real[1] == b""),
                f"owner's id: {with_real[0].name} {len(with_real[1])}B, unknown id: {with_fake[0].name}",
            )
    owner = await target.agency_token()
    async with target.channel() as channel:
        client = await identity_pb2_grpc.IdentityServiceStub(channel).GetClient(
            identity_pb2.GetClientRequest(client_id=owned["client_id"]), metadata=bearer(owner)
        )
        payment = await payment_pb2_grpc.PaymentServiceStub(channel).GetPayment(
            payment_pb2.GetPaymentRequest(payment_id=owned["payment_id"]), metadata=bearer(owner)
        )
    cases.check("the owner's client is still active", client.client.state == identity_pb2.CLIENT_STATE_ACTIVE)
    cases.check(
        "the owner's payment is untouched", payment.payment.state == payment_pb2.PAYMENT_STATE_CREATED
    )
    cases.done()


async def test_operator_scopes_stay_with_the_operator(target: Target) -> None:
    """Finding 8: the demo agency held identity.agencies.admin and registry.policies.admin, listed every agency,
    read other agencies' policies and created an agency whose client carried platform.admin."""
    cases = Cases("isolation", target.name)
    c = target.credentials
    for scope in sorted(OPERATOR_ONLY):
        try:
            await target.token(c["client_id"], c["client_secret"], (scope,))
            cases.check(f"the demo agency cannot get a {scope} token", False, "issued")
        except grpc.aio.AioRpcError as error:
            cases.check(
                f"the demo agency cannot get a {scope} token",
                error.code() == grpc.StatusCode.PERMISSION_DENIED,
            )
    agency = await target.agency_token()
    md = bearer(agency)
    async with target.channel() as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        registry = registry_pb2_grpc.RegistryServiceStub(channel)
        code = await status(identity.ListAgencies(identity_pb2.ListAgenciesRequest(), metadata=md))
        cases.check(
            "the demo agency cannot list agencies", code == grpc.StatusCode.PERMISSION_DENIED, code.name
        )
        code = await status(
            registry.ListDisclosurePolicies(registry_pb2.ListDisclosurePoliciesRequest(), metadata=md)
        )
        cases.check(
            "the demo agency cannot read policies", code == grpc.StatusCode.PERMISSION_DENIED, code.name
        )
        code = await status(
            identity.CreateAgency(
                identity_pb2.CreateAgencyRequest(
                    display_name="Mạo danh",
                    kind=identity_pb2.AGENCY_KIND_OTHER,
                    allowed_scopes=["platform.admin"],
                ),
                metadata=md,
            )
        )
        cases.check(
            "the demo agency cannot create agencies", code == grpc.StatusCode.PERMISSION_DENIED, code.name
        )
        for scope in sorted(OPERATOR_ONLY):
            code = await status(
                identity.CreateClient(
                    identity_pb2.CreateClientRequest(display_name="leo thang", scopes=[scope]), metadata=md
                )
            )
            cases.check(
                f"the demo agency cannot grant its client {scope}",
                code == grpc.StatusCode.INVALID_ARGUMENT,
                code.name,
            )
        operator = await target.operator_token("identity.agencies.admin")
        for scope in sorted(OPERATOR_ONLY):
            code = await status(
                identity.CreateAgency(
                    identity_pb2.CreateAgencyRequest(
                        display_name=f"Cơ quan {uuid.uuid4().hex[:4]}",
                        kind=identity_pb2.AGENCY_KIND_OTHER,
                        allowed_scopes=[scope, "payment.payments.read"],
                        initial_client_scopes=[scope],
                    ),
                    metadata=bearer(operator),
                )
            )
            cases.check(
                f"the operator cannot allow an agency {scope}",
                code == grpc.StatusCode.INVALID_ARGUMENT,
                code.name,
            )
        fresh = await target.new_agency(["payment.payments.read"])
        code = await status(
            identity.SetAgencyAllowedScopes(
                identity_pb2.SetAgencyAllowedScopesRequest(
                    agency_id=fresh["agency_id"], allowed_scopes=["platform.admin"]
                ),
                metadata=bearer(operator),
            )
        )
        cases.check(
            "no agency's ceiling can be raised to platform.admin",
            code == grpc.StatusCode.INVALID_ARGUMENT,
            code.name,
        )
        ledger = await target.token(fresh["client_id"], fresh["client_secret"])
        code = await status(
            payment_pb2_grpc.PaymentServiceStub(channel).CheckLedgerInvariants(
                payment_pb2.CheckLedgerInvariantsRequest(), metadata=bearer(ledger)
            )
        )
        cases.check(
            "an agency's client cannot check the ledger", code == grpc.StatusCode.PERMISSION_DENIED, code.name
        )
    cases.done()
