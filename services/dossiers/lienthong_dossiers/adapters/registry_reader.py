"""The registry read through the platform's gRPC contract (normally via the front door), as the dossiers
client of the platform: the registry applies its disclosure policy for the purpose and logs the read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import grpc

from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc
from lienthong_runtime.errors import FailedPrecondition, NotFound, PermissionDenied

from ..handlers.ports import RegistryReader

Metadata = Callable[[], Awaitable[tuple[tuple[str, str], ...]]]


def _address(a: registry_pb2.Address) -> str:
    return ", ".join(p for p in (a.detail, a.ward_code, a.province_code) if p)


class GrpcRegistryReader(RegistryReader):
    def __init__(self, channel: grpc.aio.Channel, metadata: Metadata) -> None:
        self.stub = registry_pb2_grpc.RegistryServiceStub(channel)
        self.metadata = metadata

    async def read(self, personal_id: str, purpose: str) -> dict[str, str]:
        try:
            reply = await self.stub.GetCitizen(
                registry_pb2.GetCitizenRequest(personal_id=personal_id, purpose=purpose),
                metadata=await self.metadata(),
                timeout=10,
            )
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                raise NotFound(
                    "the registry has no record for the citizen", reason="CITIZEN_NOT_FOUND"
                ) from None
            if error.code() == grpc.StatusCode.PERMISSION_DENIED:
                raise PermissionDenied(
                    "the registry discloses nothing to dossiers for this purpose",
                    reason="PURPOSE_NOT_GRANTED",
                ) from None
            raise FailedPrecondition("the registry could not be read", reason="PREFILL_UNAVAILABLE") from None
        view = reply.citizen
        out: dict[str, str] = {}
        for name in view.disclosed_fields:
            if name == "full_name":
                out[name] = view.full_name
            elif name == "nationality":
                out[name] = view.nationality
            elif name == "date_of_birth":
                d = view.date_of_birth
                out[name] = f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
            elif name in ("place_of_birth", "permanent_address", "current_address"):
                out[name] = _address(getattr(view, name))
        return out
