"""Five minutes with Liên Thông: call the running suite (`make run`) through the gateway with the generated client.

    .venv/bin/python examples/quickstart.py [--target localhost:50051] [--credentials .lienthong/demo-credentials.json]

1. The platform operator's client grants the demo agency a disclosure policy for one purpose.
2. The demo agency's client gets a token (OAuth2 client credentials) and registers a citizen.
3. It reads the record back for that purpose: only the fields the policy allows come back.
4. It lists the access log of the record: the read it just made is there, hash-chained.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
from pathlib import Path

import grpc

from lienthong.client import ClientCredentials, TokenSource, connect, error_info
from lienthong.common.v1 import date_pb2
from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc

PURPOSE = "immigration.passport_application"


def demo_citizen() -> registry_pb2.Citizen:
    # 001 = Hà Nội (birth registration), 3 = 21st century female, 05 = born 2005, then six random digits.
    personal_id = f"001305{random.randint(0, 999_999):06d}"
    return registry_pb2.Citizen(
        personal_id=personal_id,
        full_name="Nguyễn Thị Minh Khai",
        date_of_birth=date_pb2.Date(year=2005, month=3, day=8),
        sex=registry_pb2.SEX_FEMALE,
        nationality="VN",
        place_of_birth=registry_pb2.Address(
            province_code="01", ward_code="00004", detail="Bệnh viện Phụ sản"
        ),
        permanent_address=registry_pb2.Address(
            province_code="01", ward_code="00004", detail="12 phố Lý Thái Tổ"
        ),
        current_address=registry_pb2.Address(
            province_code="01", ward_code="00004", detail="12 phố Lý Thái Tổ"
        ),
        household_id=f"HK-{personal_id}",
        household_relation=registry_pb2.HOUSEHOLD_RELATION_HEAD,
        life_status=registry_pb2.LIFE_STATUS_ALIVE,
    )


async def main(target: str, credentials: dict[str, str]) -> None:
    async with connect(target) as bootstrap:
        admin = TokenSource.from_client_credentials(
            bootstrap,
            ClientCredentials(
                credentials["admin_client_id"],
                credentials["admin_client_secret"],
                scopes=("registry.policies.admin",),
            ),
        )
        agency = TokenSource.from_client_credentials(
            bootstrap,
            ClientCredentials(
                credentials["client_id"],
                credentials["client_secret"],
                scopes=("registry.citizens.write", "registry.citizens.read", "registry.access_log.audit"),
            ),
        )

        async with connect(target, token_source=admin) as channel:
            policy = registry_pb2.DisclosurePolicy(
                agency_id=credentials["agency_id"],
                purpose=PURPOSE,
                legal_basis="Luật Xuất nhập cảnh 2019",
                fields=["full_name", "date_of_birth", "sex", "nationality"],
            )
            await registry_pb2_grpc.RegistryServiceStub(channel).SetDisclosurePolicy(
                registry_pb2.SetDisclosurePolicyRequest(policy=policy)
            )
            print(f"1. policy for purpose {PURPOSE!r}: {list(policy.fields)}")

        async with connect(target, token_source=agency) as channel:
            registry = registry_pb2_grpc.RegistryServiceStub(channel)
            citizen = demo_citizen()
            await registry.CreateCitizen(
                registry_pb2.CreateCitizenRequest(citizen=citizen, legal_reason="Đăng ký khai sinh (demo)")
            )
            print(f"2. registered citizen {citizen.personal_id}")

            view = (
                await registry.GetCitizen(
                    registry_pb2.GetCitizenRequest(personal_id=citizen.personal_id, purpose=PURPOSE)
                )
            ).citizen
            print(f"3. read for {PURPOSE!r}: disclosed {list(view.disclosed_fields)}")

            log = await registry.ListAccessLog(
                registry_pb2.ListAccessLogRequest(personal_id=citizen.personal_id)
            )
            for entry in log.entries:
                print(
                    f"4. access log #{entry.sequence}: {registry_pb2.AccessAction.Name(entry.action)} by "
                    f"{entry.client_id} for {entry.purpose!r}, fields {list(entry.fields_disclosed)}"
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", default="localhost:50051", help="the gateway")
    parser.add_argument("--credentials", default=".lienthong/demo-credentials.json")
    args = parser.parse_args()
    try:
        asyncio.run(main(args.target, json.loads(Path(args.credentials).read_text())))
    except grpc.aio.AioRpcError as error:
        details = error_info(error)
        raise SystemExit(
            f"call failed: {error.code().name} {details.reason if details else ''} {error.details()}"
        ) from None
