"""Prefill with consent, through the gateway with the generated client only: the citizen's record is in the
registry, the operator lets the demo agency see two fields for the birth-registration purpose, and the citizen asks
dossiers to prefill a form. Without consent dossiers answers FAILED_PRECONDITION and the registry's access log (as
the citizen lists it) gets no entry; with consent, only the policy's fields come back and the read is logged once.

In ``lienthong dev`` dossiers reads the registry through the front door as the demo agency's client (see
``lienthong_cli.dev.prefill_overrides``); in the distributed deployment an operator configures its own client.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import grpc

from lienthong.client import ClientCredentials, TokenSource, connect
from lienthong.dossiers.v1 import dossiers_pb2 as pb
from lienthong.dossiers.v1 import dossiers_pb2_grpc
from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc

from .journey import new_citizen

PREFILL_PURPOSE = "public_service.birth_registration"


@dataclass
class PrefillResult:
    refused: grpc.StatusCode
    reads_before_consent: int
    form: dict[str, str]
    disclosed: list[str]
    reads: list[registry_pb2.AccessLogEntry]
    record: registry_pb2.Citizen


def _reads(entries: list[registry_pb2.AccessLogEntry]) -> list[registry_pb2.AccessLogEntry]:
    return [
        e for e in entries if e.action == registry_pb2.ACCESS_ACTION_READ and e.purpose == PREFILL_PURPOSE
    ]


async def run_prefill_journey(gateway: str, credentials: dict[str, str]) -> PrefillResult:
    record = new_citizen()
    password = f"Mật-khẩu-{uuid.uuid4().hex[:10]}"
    async with connect(gateway) as public:
        admin = TokenSource.from_client_credentials(
            public,
            ClientCredentials(
                credentials["admin_client_id"],
                credentials["admin_client_secret"],
                scopes=("registry.policies.admin",),
            ),
        )
        agency = TokenSource.from_client_credentials(
            public,
            ClientCredentials(
                credentials["client_id"],
                credentials["client_secret"],
                scopes=("registry.citizens.write", "dossiers.procedures.write"),
            ),
        )
        async with connect(gateway, token_source=admin) as channel:
            await registry_pb2_grpc.RegistryServiceStub(channel).SetDisclosurePolicy(
                registry_pb2.SetDisclosurePolicyRequest(
                    policy=registry_pb2.DisclosurePolicy(
                        agency_id=credentials["agency_id"],
                        purpose=PREFILL_PURPOSE,
                        fields=["full_name", "date_of_birth"],
                        legal_basis="Nghị định 61/2018/NĐ-CP; Nghị định 45/2020/NĐ-CP",
                    )
                )
            )
        code = f"LT-{uuid.uuid4().hex[:8].upper()}"
        async with connect(gateway, token_source=agency) as channel:
            await registry_pb2_grpc.RegistryServiceStub(channel).CreateCitizen(
                registry_pb2.CreateCitizenRequest(citizen=record, legal_reason="Đăng ký khai sinh")
            )
            await dossiers_pb2_grpc.DossiersServiceStub(channel).CreateProcedure(
                pb.CreateProcedureRequest(
                    code=code,
                    spec=pb.ProcedureSpec(
                        name="Đăng ký khai sinh (người yêu cầu tự khai)",
                        level=pb.AGENCY_LEVEL_PROVINCE,
                        province_code="01",
                        components=[
                            pb.Component(
                                name="full_name",
                                label="Họ tên người yêu cầu",
                                kind=pb.COMPONENT_KIND_TEXT,
                                required=True,
                            ),
                            pb.Component(
                                name="date_of_birth", label="Ngày sinh", kind=pb.COMPONENT_KIND_DATE
                            ),
                            pb.Component(
                                name="permanent_address", label="Nơi thường trú", kind=pb.COMPONENT_KIND_TEXT
                            ),
                        ],
                        parts=[
                            pb.ProcedurePart(
                                agency_id=credentials["agency_id"],
                                title="Đăng ký khai sinh",
                                processing_working_days=3,
                            )
                        ],
                        electronic_result=True,
                    ),
                )
            )

        identity = identity_pb2_grpc.IdentityServiceStub(public)
        await identity.RegisterCitizen(
            identity_pb2.RegisterCitizenRequest(
                personal_id=record.personal_id,
                password=password,
                email=f"kd-{uuid.uuid4().hex[:8]}@example.vn",
            )
        )
        login = await identity.Login(
            identity_pb2.LoginRequest(personal_id=record.personal_id, password=password)
        )
        me = (("authorization", f"Bearer {login.access_token}"),)
        dossiers = dossiers_pb2_grpc.DossiersServiceStub(public)
        registry = registry_pb2_grpc.RegistryServiceStub(public)

        async def my_reads() -> list[registry_pb2.AccessLogEntry]:
            reply = await registry.ListMyAccessLog(registry_pb2.ListMyAccessLogRequest(), metadata=me)
            return _reads(list(reply.entries))

        refused = grpc.StatusCode.OK
        try:
            await dossiers.PrefillForm(
                pb.PrefillFormRequest(procedure_code=code, purpose=PREFILL_PURPOSE, consent=False),
                metadata=me,
            )
        except grpc.aio.AioRpcError as error:
            refused = error.code()
        before = len(await my_reads())
        filled = await dossiers.PrefillForm(
            pb.PrefillFormRequest(procedure_code=code, purpose=PREFILL_PURPOSE, consent=True), metadata=me
        )
        reads = await my_reads()
    return PrefillResult(refused, before, dict(filled.form), list(filled.disclosed_fields), reads, record)
