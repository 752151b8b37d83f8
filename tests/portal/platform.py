"""What an agency does to a running `lienthong dev` (through the gateway, with the generated client): register a
citizen, grant a purpose, read the record, take a payment, move the citizen."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass

import pyotp
from google.protobuf.field_mask_pb2 import FieldMask

from lienthong.client import ClientCredentials, SyncTokenSource, connect_sync
from lienthong.common.v1 import date_pb2
from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong.payment.v1 import payment_pb2, payment_pb2_grpc
from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc
from tests.dev_platform import Dev

#: The name `lienthong dev` seeds the demo agency with.
DEMO_AGENCY = "UBND Thành phố Hà Nội (demo)"


@dataclass
class Citizen:
    personal_id: str
    password: str
    full_name: str
    totp_secret: str = ""
    version: int = 1
    version: int = 1


class Agency:
    """The demo agency, acting through the gateway like a province's system would."""

    def __init__(self, dev: Dev) -> None:
        creds = dev.credentials()
        self.agency_id = creds["agency_id"]
        public = connect_sync(dev.gateway)
        self._channels = [public]
        self.identity = identity_pb2_grpc.IdentityServiceStub(public)

        def channel(client: str, secret: str, scopes: tuple[str, ...]):  # type: ignore[no-untyped-def]
            tokens = SyncTokenSource.from_client_credentials(
                public, ClientCredentials(client, secret, scopes=scopes)
            )
            opened = connect_sync(dev.gateway, token_source=tokens)
            self._channels.append(opened)
            return opened

        admin = channel(creds["admin_client_id"], creds["admin_client_secret"], ("registry.policies.admin",))
        self.admin = registry_pb2_grpc.RegistryServiceStub(admin)
        agency = channel(
            creds["client_id"],
            creds["client_secret"],
            (
                "registry.citizens.write",
                "registry.citizens.read",
                "payment.payments.write",
                "payment.payments.read",
            ),
        )
        self.registry = registry_pb2_grpc.RegistryServiceStub(agency)
        self.payments = payment_pb2_grpc.PaymentServiceStub(agency)

    def close(self) -> None:
        for channel in self._channels:
            channel.close()

    def grant(self, purpose: str, legal_basis: str, fields: list[str]) -> None:
        self.admin.SetDisclosurePolicy(
            registry_pb2.SetDisclosurePolicyRequest(
                policy=registry_pb2.DisclosurePolicy(
                    agency_id=self.agency_id, purpose=purpose, legal_basis=legal_basis, fields=fields
                )
            )
        )

    def new_citizen(self, full_name: str, *, totp: bool = False, email: str = "") -> Citizen:
        pid = f"079303{random.randint(0, 999_999):06d}"
        address = registry_pb2.Address(province_code="79", ward_code="26740", detail="1 Công xã Paris")
        created = self.registry.CreateCitizen(
            registry_pb2.CreateCitizenRequest(
                citizen=registry_pb2.Citizen(
                    personal_id=pid,
                    full_name=full_name,
                    nationality="VN",
                    date_of_birth=date_pb2.Date(year=2003, month=9, day=2),
                    sex=registry_pb2.SEX_FEMALE,
                    place_of_birth=address,
                    permanent_address=address,
                    current_address=address,
                    life_status=registry_pb2.LIFE_STATUS_ALIVE,
                ),
                legal_reason="Đăng ký thường trú",
            )
        )
        password = f"Mật-khẩu-{uuid.uuid4().hex[:12]}"
        citizen = Citizen(pid, password, full_name, version=created.citizen.version)
        self.identity.RegisterCitizen(
            identity_pb2.RegisterCitizenRequest(personal_id=pid, password=password, email=email)
        )
        if totp:
            login = self.identity.Login(identity_pb2.LoginRequest(personal_id=pid, password=citizen.password))
            bearer = (("authorization", f"Bearer {login.access_token}"),)
            secret = self.identity.EnrollTotp(identity_pb2.EnrollTotpRequest(), metadata=bearer).secret
            # Confirm with the previous step's code, so the current one is still unused for the browser sign-in.
            code = pyotp.TOTP(secret).at(time.time() - 30)
            self.identity.ConfirmTotp(identity_pb2.ConfirmTotpRequest(totp_code=code), metadata=bearer)
            citizen.totp_secret = secret
        return citizen

    def read(self, citizen: Citizen, purpose: str) -> None:
        self.registry.GetCitizen(
            registry_pb2.GetCitizenRequest(personal_id=citizen.personal_id, purpose=purpose)
        )

    def pay(self, payer_email: str) -> str:
        """A fee paid in the sandbox by ``payer_email``; notify e-mails the receipt there."""
        created = self.payments.CreatePayment(
            payment_pb2.CreatePaymentRequest(
                amount_vnd=125_000,
                description="Lệ phí cấp bản sao trích lục",
                reference=f"HS-{uuid.uuid4().hex[:8]}",
                return_url="https://dichvucong.example.gov.vn/thanh-toan/ket-qua",
                idempotency_key=str(uuid.uuid4()),
                provider=payment_pb2.PAYMENT_PROVIDER_SANDBOX,
                payer_email=payer_email,
            )
        )
        self.payments.StartPayment(
            payment_pb2.StartPaymentRequest(
                payment_id=created.payment.id, sandbox_scenario=payment_pb2.SANDBOX_SCENARIO_SUCCESS
            )
        )
        return created.payment.id

    def move(self, citizen: Citizen, detail: str) -> None:
        """A change of current address; notify tells the citizen at their registered contact."""
        updated = self.registry.UpdateCitizen(
            registry_pb2.UpdateCitizenRequest(
                personal_id=citizen.personal_id,
                expected_version=citizen.version,
                citizen=registry_pb2.Citizen(
                    current_address=registry_pb2.Address(province_code="79", ward_code="26740", detail=detail)
                ),
                update_mask=FieldMask(paths=["current_address"]),
                legal_reason="Xác nhận thông tin cư trú số 15/XN-CA",
            )
        )
        citizen.version = updated.citizen.version
