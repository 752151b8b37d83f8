"""gRPC servicer of the registry service: proto in, command to a handler, proto out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lienthong.registry.v1 import registry_pb2 as pb
from lienthong.registry.v1 import registry_pb2_grpc
from lienthong_runtime.auth import require_agency, require_citizen
from lienthong_runtime.errors import invalid

from . import grpc_convert as cv
from .handlers import audit, citizens, lookup, policies, reads
from .handlers.context import Caller, Services
from .handlers.ports import RegistryUnitOfWork


def _caller() -> Caller:
    """The calling agency's machine client (PERMISSION_DENIED ``AGENCY_REQUIRED`` for any other token)."""
    p = require_agency()
    return Caller(p.agency_id, p.client_id or p.subject, str(p.claims.get("agency_name", "")))


class RegistryService(registry_pb2_grpc.RegistryServiceServicer):
    """Every method takes the agency from the verified token, never from the request. ``uow`` makes a fresh unit of
    work per call; ``services`` holds the read side and the keys (``handlers/context.py``)."""

    def __init__(self, uow: Callable[[], RegistryUnitOfWork], services: Services) -> None:
        self.uow = uow
        self.services = services

    async def CreateCitizen(self, request: pb.CreateCitizenRequest, context: Any) -> pb.CreateCitizenResponse:
        if not request.HasField("citizen"):
            raise invalid("citizen", "is required")
        submitted = cv.citizen_in(request.citizen)
        created = await citizens.create_citizen(
            self.uow(), self.services, _caller(), submitted, request.legal_reason, request.idempotency_key
        )
        return pb.CreateCitizenResponse(citizen=cv.written_out(created, submitted.set_fields()))

    async def UpdateCitizen(self, request: pb.UpdateCitizenRequest, context: Any) -> pb.UpdateCitizenResponse:
        mask = list(request.update_mask.paths)
        updated = await citizens.update_citizen(
            self.uow(),
            self.services,
            _caller(),
            request.personal_id,
            request.expected_version,
            cv.citizen_in(request.citizen),
            mask,
            request.legal_reason,
        )
        return pb.UpdateCitizenResponse(citizen=cv.written_out(updated, mask))

    async def GetCitizen(self, request: pb.GetCitizenRequest, context: Any) -> pb.GetCitizenResponse:
        view = await reads.get_citizen(self.services, _caller(), request.personal_id, request.purpose)
        return pb.GetCitizenResponse(citizen=cv.view_out(view))

    async def ListHousehold(self, request: pb.ListHouseholdRequest, context: Any) -> pb.ListHouseholdResponse:
        views, token = await reads.list_household(
            self.services,
            _caller(),
            request.household_id,
            request.purpose,
            request.page_size,
            request.page_token,
        )
        return pb.ListHouseholdResponse(members=[cv.view_out(v) for v in views], next_page_token=token)

    async def GetCitizenHistory(
        self, request: pb.GetCitizenHistoryRequest, context: Any
    ) -> pb.GetCitizenHistoryResponse:
        versions, token = await reads.citizen_history(
            self.services,
            _caller(),
            request.personal_id,
            request.purpose,
            request.page_size,
            request.page_token,
        )
        return pb.GetCitizenHistoryResponse(
            versions=[cv.version_out(v, m) for v, m in versions], next_page_token=token
        )

    async def VerifyCitizen(self, request: pb.VerifyCitizenRequest, context: Any) -> pb.VerifyCitizenResponse:
        if not request.HasField("claims"):
            raise invalid("claims", "is required")
        match = await lookup.verify_citizen(
            self.services, _caller(), request.personal_id, cv.claims_in(request.claims), request.purpose
        )
        return pb.VerifyCitizenResponse(
            result=pb.VERIFICATION_RESULT_MATCH if match else pb.VERIFICATION_RESULT_NO_MATCH
        )

    async def SearchCitizens(
        self, request: pb.SearchCitizensRequest, context: Any
    ) -> pb.SearchCitizensResponse:
        birth = cv.date_in("date_of_birth", request.date_of_birth)
        views, token = await lookup.search_citizens(
            self.services,
            _caller(),
            request.full_name,
            birth,
            request.province_code,
            request.purpose,
            request.page_size,
            request.page_token,
        )
        return pb.SearchCitizensResponse(citizens=[cv.view_out(v) for v in views], next_page_token=token)

    async def ListGrantedPurposes(
        self, request: pb.ListGrantedPurposesRequest, context: Any
    ) -> pb.ListGrantedPurposesResponse:
        found, token = await policies.granted_purposes(
            self.uow(), _caller(), request.page_size, request.page_token
        )
        return pb.ListGrantedPurposesResponse(
            policies=[cv.policy_out(p) for p in found], next_page_token=token
        )

    async def SetDisclosurePolicy(
        self, request: pb.SetDisclosurePolicyRequest, context: Any
    ) -> pb.SetDisclosurePolicyResponse:
        stored = await policies.set_policy(self.uow(), self.services, cv.policy_in(request.policy))
        return pb.SetDisclosurePolicyResponse(policy=cv.policy_out(stored))

    async def GetDisclosurePolicy(
        self, request: pb.GetDisclosurePolicyRequest, context: Any
    ) -> pb.GetDisclosurePolicyResponse:
        found = await policies.get_policy(self.uow(), request.agency_id, request.purpose)
        return pb.GetDisclosurePolicyResponse(policy=cv.policy_out(found))

    async def ListDisclosurePolicies(
        self, request: pb.ListDisclosurePoliciesRequest, context: Any
    ) -> pb.ListDisclosurePoliciesResponse:
        found, token = await policies.list_policies(
            self.uow(), request.agency_id, request.page_size, request.page_token
        )
        return pb.ListDisclosurePoliciesResponse(
            policies=[cv.policy_out(p) for p in found], next_page_token=token
        )

    async def DeleteDisclosurePolicy(
        self, request: pb.DeleteDisclosurePolicyRequest, context: Any
    ) -> pb.DeleteDisclosurePolicyResponse:
        await policies.delete_policy(self.uow(), self.services, request.agency_id, request.purpose)
        return pb.DeleteDisclosurePolicyResponse()

    async def ListMyAccessLog(
        self, request: pb.ListMyAccessLogRequest, context: Any
    ) -> pb.ListMyAccessLogResponse:
        entries, token = await audit.my_access_log(
            self.services,
            require_citizen(),
            cv.micros(request.start_time, request.HasField("start_time")),
            request.page_size,
            request.page_token,
        )
        return pb.ListMyAccessLogResponse(
            entries=[cv.entry_out(e, chain_verified=ok) for e, ok in entries], next_page_token=token
        )

    async def GetMyRecord(self, request: pb.GetMyRecordRequest, context: Any) -> pb.GetMyRecordResponse:
        citizen = await audit.my_record(self.services, require_citizen())
        return pb.GetMyRecordResponse(citizen=cv.own_record_out(citizen))

    async def ListAccessLog(self, request: pb.ListAccessLogRequest, context: Any) -> pb.ListAccessLogResponse:
        entries, token = await audit.agency_access_log(
            self.services,
            _caller(),
            request.personal_id,
            cv.micros(request.start_time, request.HasField("start_time")),
            cv.micros(request.end_time, request.HasField("end_time")),
            request.page_size,
            request.page_token,
        )
        return pb.ListAccessLogResponse(
            entries=[cv.entry_out(e, pid) for e, pid in entries], next_page_token=token
        )

    async def VerifyAccessLogChain(
        self, request: pb.VerifyAccessLogChainRequest, context: Any
    ) -> pb.VerifyAccessLogChainResponse:
        check = await audit.verify_chain(self.uow(), request.from_sequence)
        return pb.VerifyAccessLogChainResponse(
            intact=check.intact,
            entries_checked=check.checked,
            first_broken_sequence=check.first_broken,
            detail=check.detail,
            versions_without_write_entry=check.missing_writes,
        )
