"""Prefill from the registry: only with the citizen's consent and under a declared purpose. Against a real
registry server: with consent, the registry's disclosure policy decides the fields and its access log records the
read (which the citizen lists); without consent, nothing is read, disclosed or logged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lienthong.registry.v1 import registry_pb2 as rpb
from lienthong.registry.v1 import registry_pb2_grpc
from lienthong_dossiers.adapters.registry_reader import GrpcRegistryReader
from lienthong_dossiers.domain.procedures import Component, Kind, Level, PartSpec, Spec
from lienthong_dossiers.handlers import prefill, procedures
from lienthong_dossiers.handlers.context import Caller
from lienthong_runtime.errors import FailedPrecondition
from lienthong_runtime.testing import TokenMint

from ..registry.conftest import start_registry
from ..registry.factories import ALL_SCOPES, citizen
from .fakes import FakeClock, FakeDossiersUnitOfWork, fake_deps

pytestmark = pytest.mark.postgres
PURPOSE = "public_service.birth_registration"
PLATFORM = "agency-platform-dossiers"
SPEC = Spec(
    "Đăng ký thường trú",
    Level.PROVINCE,
    "01",
    (
        Component("full_name", "Họ và tên", Kind.TEXT, True),
        Component("date_of_birth", "Ngày sinh", Kind.DATE, True),
        Component("permanent_address", "Nơi thường trú", Kind.TEXT, False),
        Component("reason", "Lý do", Kind.TEXT, False),
    ),
    (PartSpec("agency-police", "Đăng ký thường trú", 7),),
    0,
    False,
    True,
)


async def test_prefill_reads_only_with_consent_and_the_registry_logs_it(pg_url, unix_socket, tmp_path):
    mint = TokenMint()
    _, _, server = await start_registry(pg_url, unix_socket, tmp_path, mint)
    async with server as channel:
        registry = registry_pb2_grpc.RegistryServiceStub(channel)
        admin = mint.metadata(ALL_SCOPES, agency="agency-registrar")
        record = citizen()
        await registry.CreateCitizen(
            rpb.CreateCitizenRequest(citizen=record, legal_reason="Đăng ký khai sinh 1/QĐ"), metadata=admin
        )
        # The operator lets the platform's dossiers client see two fields for this purpose.
        await registry.SetDisclosurePolicy(
            rpb.SetDisclosurePolicyRequest(
                policy=rpb.DisclosurePolicy(
                    agency_id=PLATFORM,
                    purpose=PURPOSE,
                    fields=["full_name", "date_of_birth"],
                    legal_basis="Nghị định 61/2018/NĐ-CP; Nghị định 45/2020/NĐ-CP",
                )
            ),
            metadata=admin,
        )

        async def metadata():  # type: ignore[no-untyped-def]
            return mint.metadata(("registry.citizens.read",), agency=PLATFORM)

        uow = FakeDossiersUnitOfWork()
        clock = FakeClock(datetime(2027, 2, 2, 2, tzinfo=UTC))
        deps = fake_deps(clock)
        deps = type(deps)(
            deps.holidays, deps.clock, deps.new_id, deps.new_code, GrpcRegistryReader(channel, metadata)
        )
        await procedures.create(uow, Caller.agency("agency-police", "c"), "LT-THUONGTRU", SPEC, clock())
        me = Caller.citizen(record.personal_id)
        mine = mint.metadata(("citizen.self",), kind="citizen", pid=record.personal_id)

        async def reads() -> int:
            log = await registry.ListMyAccessLog(rpb.ListMyAccessLogRequest(), metadata=mine)
            return sum(1 for e in log.entries if e.purpose == PURPOSE)

        with pytest.raises(FailedPrecondition) as refused:
            await prefill.prefill(uow, deps, me, "LT-THUONGTRU", PURPOSE, consent=False)
        assert refused.value.reason == "CONSENT_REQUIRED"
        assert await reads() == 0  # without consent: nothing disclosed, nothing in the access log

        form, disclosed = await prefill.prefill(uow, deps, me, "LT-THUONGTRU", PURPOSE, consent=True)
        assert form == {"full_name": record.full_name, "date_of_birth": "1990-05-17"}
        assert disclosed == ["date_of_birth", "full_name"]  # the address is outside the policy: not disclosed
        assert await reads() == 1
