"""The first citizen journey, through the gateway with the generated client only.

An agency gets a token; registers a citizen; the citizen creates an account and logs in; the agency creates a
payment; the sandbox provider completes it; the receipt e-mail arrives; the agency updates the citizen's record
and the citizen gets the "record changed" e-mail at the address they registered with (identity -> notify ->
registry events); the citizen lists the access log of their record and sees the agency's read.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from google.protobuf.field_mask_pb2 import FieldMask

from lienthong.client import ClientCredentials, TokenSource, connect
from lienthong.common.v1 import date_pb2
from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong.payment.v1 import payment_pb2, payment_pb2_grpc
from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc

PURPOSE = "social_insurance.enrolment"


@dataclass
class JourneyResult:
    personal_id: str
    payment_id: str
    reference: str
    receipt: str
    access_log: list[registry_pb2.AccessLogEntry]
    #: Subject and text of the "record changed" e-mail the citizen received.
    record_changed: str = ""


def new_citizen() -> registry_pb2.Citizen:
    personal_id = f"079303{random.randint(0, 999_999):06d}"  # 079 = TP Hồ Chí Minh, 3 = 21st c. female, 2003
    address = registry_pb2.Address(province_code="79", ward_code="26740", detail="1 Công xã Paris")
    return registry_pb2.Citizen(
        personal_id=personal_id,
        full_name="Trần Thị Ánh Dương",
        nationality="VN",
        date_of_birth=date_pb2.Date(year=2003, month=9, day=2),
        sex=registry_pb2.SEX_FEMALE,
        place_of_birth=address,
        permanent_address=address,
        current_address=address,
        household_id=f"HK-{personal_id}",
        household_relation=registry_pb2.HOUSEHOLD_RELATION_HEAD,
        life_status=registry_pb2.LIFE_STATUS_ALIVE,
    )


async def _eventually(check: Callable[[], Awaitable[object]], *, timeout: float = 30.0) -> object:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the journey step did not complete in time")
        await asyncio.sleep(0.2)


async def run_journey(
    gateway: str, credentials: dict[str, str], read_mail: Callable[[str], Awaitable[str | None]]
) -> JourneyResult:
    """Run the journey against ``gateway``; ``read_mail(address)`` returns the text of the first e-mail to
    ``address`` once it arrived (the receipt goes to the payer's address, the record change to the citizen's)."""
    email = f"citizen-{uuid.uuid4().hex[:8]}@example.vn"
    payer_email = f"payer-{uuid.uuid4().hex[:8]}@example.vn"
    password = f"Mật-khẩu-{uuid.uuid4().hex[:10]}"
    citizen = new_citizen()
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
                scopes=(
                    "registry.citizens.write",
                    "registry.citizens.read",
                    "payment.payments.write",
                    "payment.payments.read",
                ),
            ),
        )
        async with connect(gateway, token_source=admin) as channel:
            await registry_pb2_grpc.RegistryServiceStub(channel).SetDisclosurePolicy(
                registry_pb2.SetDisclosurePolicyRequest(
                    policy=registry_pb2.DisclosurePolicy(
                        agency_id=credentials["agency_id"],
                        purpose=PURPOSE,
                        legal_basis="Luật BHXH 2024",
                        fields=["full_name", "date_of_birth"],
                    )
                )
            )

        async with connect(gateway, token_source=agency) as channel:
            registry = registry_pb2_grpc.RegistryServiceStub(channel)
            payments = payment_pb2_grpc.PaymentServiceStub(channel)
            created_record = await registry.CreateCitizen(
                registry_pb2.CreateCitizenRequest(citizen=citizen, legal_reason="Đăng ký thường trú")
            )

            identity = identity_pb2_grpc.IdentityServiceStub(public)
            await identity.RegisterCitizen(
                identity_pb2.RegisterCitizenRequest(
                    personal_id=citizen.personal_id, password=password, email=email
                )
            )
            login = await identity.Login(
                identity_pb2.LoginRequest(personal_id=citizen.personal_id, password=password)
            )

            reference = f"HS-{uuid.uuid4().hex[:8]}"
            created = await payments.CreatePayment(
                payment_pb2.CreatePaymentRequest(
                    amount_vnd=125_000,
                    description="Lệ phí cấp bản sao trích lục",
                    reference=reference,
                    return_url="https://dichvucong.hochiminhcity.gov.vn/thanh-toan/ket-qua",
                    idempotency_key=str(uuid.uuid4()),
                    provider=payment_pb2.PAYMENT_PROVIDER_SANDBOX,
                    payer_email=payer_email,
                )
            )
            payment_id = created.payment.id
            await payments.StartPayment(
                payment_pb2.StartPaymentRequest(
                    payment_id=payment_id, sandbox_scenario=payment_pb2.SANDBOX_SCENARIO_SUCCESS
                )
            )

            async def paid() -> bool:
                reply = await payments.GetPayment(payment_pb2.GetPaymentRequest(payment_id=payment_id))
                return reply.payment.state == payment_pb2.PAYMENT_STATE_SUCCESS

            await _eventually(paid)
            receipt = str(await _eventually(lambda: read_mail(payer_email)))

            await registry.GetCitizen(
                registry_pb2.GetCitizenRequest(personal_id=citizen.personal_id, purpose=PURPOSE)
            )
            record_changed = await _record_change_reaches_the_citizen(
                registry, created_record.citizen, lambda: read_mail(email)
            )

        citizen_metadata = (("authorization", f"Bearer {login.access_token}"),)
        mine = await registry_pb2_grpc.RegistryServiceStub(public).ListMyAccessLog(
            registry_pb2.ListMyAccessLogRequest(), metadata=citizen_metadata
        )
    return JourneyResult(
        citizen.personal_id, payment_id, reference, receipt, list(mine.entries), record_changed
    )


async def _record_change_reaches_the_citizen(
    registry: registry_pb2_grpc.RegistryServiceStub,
    record: registry_pb2.Citizen,
    read_citizen_mail: Callable[[], Awaitable[str | None]],
) -> str:
    """The agency moves the citizen (UpdateCitizen); notify e-mails the citizen at their registered address."""
    moved = registry_pb2.Address(province_code="79", ward_code="26740", detail="12 Lê Duẩn")
    await registry.UpdateCitizen(
        registry_pb2.UpdateCitizenRequest(
            personal_id=record.personal_id,
            expected_version=record.version,
            citizen=registry_pb2.Citizen(current_address=moved),
            update_mask=FieldMask(paths=["current_address"]),
            legal_reason="Xác nhận thông tin cư trú số 15/XN-CA",
        )
    )
    text = str(await _eventually(read_citizen_mail))
    assert "nơi ở hiện tại" in text and "15/XN-CA" in text, (
        "the e-mail names the changed field and the reason"
    )
    assert record.personal_id not in text
    return text
