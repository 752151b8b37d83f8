"""Every list RPC of the contract answers the same client mistakes with the same status and reason.

A list RPC is found from the descriptors (its request has ``page_size`` and ``page_token``), so a new one is
covered without editing this file; it only has to be classified below as for an agency or not. Each case sends a
request that would be answered (baseline: the same request without the mistake is not refused) with exactly one
mistake, through every building block's composition root served in-process:

* a page token the method did not issue: INVALID_ARGUMENT ``PAGE_TOKEN_INVALID``;
* a page size over the limit (501): INVALID_ARGUMENT ``PAGE_SIZE_INVALID`` (refused, not clamped);
* for an RPC that answers for the calling agency, a machine token without an agency: PERMISSION_DENIED
  ``AGENCY_REQUIRED``.

The services' code behind it is ``lienthong_runtime.paging`` and ``lienthong_runtime.auth.require_agency``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
import pytest_asyncio
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import Message

from lienthong.common.v1 import date_pb2
from lienthong.documents.v1 import documents_pb2, documents_pb2_grpc
from lienthong.identity.v1 import events_pb2 as identity_events
from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc
from lienthong_runtime.contract import access_rule, contract_methods
from lienthong_runtime.events import connect_bus, envelope

from .conftest import Platform, serve_platform
from .test_every_rpc import _block, _reason

pytestmark = pytest.mark.asyncio(loop_scope="module")

PURPOSE = "civil_status.registration"
IDENTITY, REGISTRY = "/lienthong.identity.v1.IdentityService/", "/lienthong.registry.v1.RegistryService/"
PAYMENT, NOTIFY = "/lienthong.payment.v1.PaymentService/", "/lienthong.notify.v1.NotifyService/"
DOCUMENTS = "/lienthong.documents.v1.DocumentsService/"
DOSSIERS = "/lienthong.dossiers.v1.DossiersService/"

#: List RPCs that answer for the calling agency (its clients, records it may read, payments, messages, documents).
FOR_AN_AGENCY = {
    IDENTITY + "ListClients",
    IDENTITY + "ListAuditEvents",
    REGISTRY + "ListHousehold",
    REGISTRY + "GetCitizenHistory",
    REGISTRY + "SearchCitizens",
    REGISTRY + "ListGrantedPurposes",
    REGISTRY + "ListAccessLog",
    PAYMENT + "SearchPayments",
    PAYMENT + "ListRefunds",
    NOTIFY + "ListTemplates",
    NOTIFY + "ListNotifications",
    DOCUMENTS + "ListInbox",
    DOCUMENTS + "ListSent",
    DOCUMENTS + "ListDocumentAccess",
    DOSSIERS + "ListAgencyInbox",
    DOSSIERS + "ListLateDossiers",
}
#: List RPCs that do not, and why.
NOT_FOR_AN_AGENCY = {
    IDENTITY + "ListAgencies": "the platform operator lists every agency",
    IDENTITY + "ListSigningKeys": "the platform's own signing keys",
    REGISTRY + "ListDisclosurePolicies": "the policy administrator names the agency in the request",
    REGISTRY + "ListMyAccessLog": "a citizen's own (citizen token)",
    NOTIFY + "ListMyNotifications": "a citizen's own (citizen token)",
    DOCUMENTS + "SearchDirectoryAgencies": "the directory is one register for every holder of the scope",
    DOSSIERS + "ListProcedures": "the procedure catalogue is one register for every holder of the scope",
    DOSSIERS + "ListMyDossiers": "a citizen's own (citizen token)",
}
#: Citizen methods take a citizen's token rather than an agency's.
FOR_A_CITIZEN = {REGISTRY + "ListMyAccessLog", NOTIFY + "ListMyNotifications", DOSSIERS + "ListMyDossiers"}


def _descriptor(method: str) -> Any:
    service, name = method[1:].split("/")
    return descriptor_pool.Default().FindServiceByName(service).methods_by_name[name]


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


def list_rpcs() -> list[str]:
    """Every contract method whose request has ``page_size`` and ``page_token``."""
    found = []
    for method in contract_methods():
        fields = _descriptor(method).input_type.fields_by_name
        if "page_size" in fields and "page_token" in fields:
            found.append(method)
    return found


LIST_RPCS = list_rpcs()


class World:
    """What the module sets up so that every list request would be answered: an agency known to the document
    directory, holding a disclosure policy for ``PURPOSE``, and one citizen (head of a household) in the
    registry."""

    def __init__(self, platform: Platform, bus_url: str) -> None:
        self.channels, self.mint = platform
        self.bus_url = bus_url
        self.agency = f"agency-lists-{uuid.uuid4().hex[:8]}"
        self.household = f"hh-{uuid.uuid4().hex[:12]}"
        self.personal_id = f"001090{random.randrange(10**6):06d}"  # Hà Nội, a man born in 1990

    def token(self, method: str, *, agency: str | None = None) -> tuple[tuple[str, str], ...]:
        scopes = sorted(access_rule(method).scopes)
        if method in FOR_A_CITIZEN:
            return self.mint.metadata(scopes, kind="citizen", pid=self.personal_id)
        return self.mint.metadata(scopes, agency=self.agency if agency is None else agency)

    async def setup(self) -> None:
        admin = self.mint.metadata(
            [
                "identity.agencies.admin",
                "registry.policies.admin",
                "registry.citizens.write",
                "documents.directory.admin",
                "platform.admin",
            ],
            agency="agency-operator",
        )
        # Identity announces the agency (documents admits only agencies identity knows).
        await connect_bus(self.bus_url).publish(
            envelope(
                "identity",
                identity_events.AgencyCreated(
                    agency_id=self.agency,
                    display_name="UBND phường (list RPC test)",
                    kind="AGENCY_KIND_PROVINCE",
                    province_code="01",
                ),
                subject=self.agency,
                agency_id=self.agency,
            )
        )
        registry = registry_pb2_grpc.RegistryServiceStub(self.channels["registry"])
        policy = registry_pb2.DisclosurePolicy(
            agency_id=self.agency, purpose=PURPOSE, fields=["full_name"], legal_basis="Luật Hộ tịch 2014"
        )
        await registry.SetDisclosurePolicy(
            registry_pb2.SetDisclosurePolicyRequest(policy=policy), metadata=admin
        )
        birth = dt.date(1990, 5, 17)
        address = registry_pb2.Address(province_code="01", ward_code="00070", detail="12 Hàng Bạc")
        citizen = registry_pb2.Citizen(
            personal_id=self.personal_id,
            full_name="Nguyễn Văn An",
            date_of_birth=date_pb2.Date(year=birth.year, month=birth.month, day=birth.day),
            sex=1,
            nationality="VN",
            place_of_birth=registry_pb2.Address(province_code="01", ward_code="00004"),
            permanent_address=address,
            current_address=address,
            household_id=self.household,
            household_relation=registry_pb2.HOUSEHOLD_RELATION_HEAD,
            life_status=registry_pb2.LIFE_STATUS_ALIVE,
        )
        await registry.CreateCitizen(
            registry_pb2.CreateCitizenRequest(citizen=citizen, legal_reason="Birth registration 1/QĐ"),
            metadata=admin,
        )
        documents = documents_pb2_grpc.DocumentsServiceStub(self.channels["documents"])
        register = documents_pb2.RegisterAgencyRequest(
            agency_id=self.agency,
            code=f"000.00.{random.randrange(100):02d}.H{random.randrange(10, 100):02d}",
            display_name="UBND phường (list RPC test)",
            province_code="01",
        )
        deadline = time.monotonic() + 15
        while True:  # documents learns of the agency from identity's AgencyCreated event, through the bus
            try:
                await documents.RegisterAgency(register, metadata=admin)
                break
            except grpc.aio.AioRpcError as error:
                if error.code() is not grpc.StatusCode.FAILED_PRECONDITION or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)

    def request(self, method: str, **paging: Any) -> Message:
        """A request of ``method`` that would be answered, with ``paging`` (page_size/page_token) set."""
        values: dict[str, Any] = {
            REGISTRY + "ListHousehold": {"household_id": self.household, "purpose": PURPOSE},
            REGISTRY + "GetCitizenHistory": {"personal_id": self.personal_id, "purpose": PURPOSE},
            REGISTRY + "SearchCitizens": {
                "full_name": "Nguyễn Văn An",
                "date_of_birth": date_pb2.Date(year=1990, month=5, day=17),
                "purpose": PURPOSE,
            },
            DOCUMENTS + "ListDocumentAccess": {"document_id": uuid.uuid4().hex},
        }.get(method, {})
        cls = message_factory.GetMessageClass(_descriptor(method).input_type)
        return cls(**values, **paging)

    async def call(self, method: str, request: Message, metadata: Any) -> grpc.aio.AioRpcError | None:
        stub = self.channels[_block(method)].unary_unary(
            method, request_serializer=_serialize, response_deserializer=None
        )
        try:
            await stub(request, metadata=metadata, timeout=10)
        except grpc.aio.AioRpcError as error:
            return error
        return None


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """One platform for the module: its tests only read or are refused."""
    bus_url = f"memory://list-rpcs-{uuid.uuid4().hex}"
    async with serve_platform(tmp_path_factory.mktemp("platform"), bus_url) as platform:
        built = World(platform, bus_url)
        await built.setup()
        yield built


async def test_the_contract_has_list_rpcs_and_each_is_classified():
    assert len(LIST_RPCS) >= 20
    assert FOR_AN_AGENCY.isdisjoint(NOT_FOR_AN_AGENCY)
    assert set(LIST_RPCS) == FOR_AN_AGENCY | set(NOT_FOR_AN_AGENCY), "classify each list RPC above"


def _refusal(error: grpc.aio.AioRpcError | None) -> tuple[str, str] | None:
    return None if error is None else (error.code().name, _reason(error))


async def _answered(world: World, method: str, **paging: Any) -> None:
    """The request without a mistake is answered (a document that does not exist is NOT_FOUND), so a refusal
    of the same request with one mistake is about that mistake."""
    error = await world.call(method, world.request(method, **paging), world.token(method))
    if method == DOCUMENTS + "ListDocumentAccess":
        assert error is not None and error.code() is grpc.StatusCode.NOT_FOUND, _refusal(error)
    else:
        assert error is None, (_refusal(error), error and error.details())


@pytest.mark.parametrize("method", LIST_RPCS, ids=lambda m: m.rsplit(".", 1)[-1])
async def test_a_page_token_it_did_not_issue(world: World, method: str) -> None:
    await _answered(world, method)
    error = await world.call(method, world.request(method, page_token="not-a-token"), world.token(method))
    assert _refusal(error) == ("INVALID_ARGUMENT", "PAGE_TOKEN_INVALID"), error and error.details()


@pytest.mark.parametrize("method", LIST_RPCS, ids=lambda m: m.rsplit(".", 1)[-1])
async def test_a_page_size_over_the_limit(world: World, method: str) -> None:
    await _answered(world, method, page_size=500)
    error = await world.call(method, world.request(method, page_size=501), world.token(method))
    assert _refusal(error) == ("INVALID_ARGUMENT", "PAGE_SIZE_INVALID"), error and error.details()


@pytest.mark.parametrize("method", sorted(FOR_AN_AGENCY), ids=lambda m: m.rsplit(".", 1)[-1])
async def test_a_token_without_an_agency(world: World, method: str) -> None:
    error = await world.call(method, world.request(method), world.token(method, agency=""))
    assert _refusal(error) == ("PERMISSION_DENIED", "AGENCY_REQUIRED"), error and error.details()
