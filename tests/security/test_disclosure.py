"""Disclosure on every response path of the registry: an agency whose policy discloses only ``sex`` gets nothing
else from any read, search, verification, history, household listing, access log, error, or write (finding 1:
UpdateCitizen answered with the whole record to a writer that could not read it)."""

from __future__ import annotations

import random
import uuid
from typing import Any

import grpc
from google.protobuf import text_format
from google.protobuf.field_mask_pb2 import FieldMask

from lienthong.common.v1 import date_pb2
from lienthong.registry.v1 import registry_pb2 as pb
from lienthong.registry.v1 import registry_pb2_grpc

from .attack import bearer
from .platforms import Target
from .tally import Cases

SEX_ONLY = "security.sex_only"
READER_SCOPES = [
    "registry.citizens.read",
    "registry.citizens.write",
    "registry.citizens.verify",
    "registry.citizens.search",
    "registry.access_log.audit",
]


def secret_citizen() -> tuple[pb.Citizen, list[str]]:
    """A record whose every value is unique to this test, and the values no sex-only reader may see."""
    tag = "".join(chr(ord("a") + int(ch, 16)) for ch in uuid.uuid4().hex[:8])  # letters: a name has no digits
    pid = f"001204{random.randint(0, 999_999):06d}"  # Hà Nội, 21st-century male, 2004
    address = pb.Address(province_code="01", ward_code="00004", detail=f"Ngõ Bí Mật {tag}")
    citizen = pb.Citizen(
        personal_id=pid,
        full_name=f"Lê Văn Kín {tag}",
        date_of_birth=date_pb2.Date(year=2004, month=7, day=19),
        sex=pb.SEX_MALE,
        nationality="VN",
        place_of_birth=address,
        permanent_address=address,
        current_address=address,
        household_id=f"HK-SEC-{tag}",
        household_relation=pb.HOUSEHOLD_RELATION_HEAD,
        life_status=pb.LIFE_STATUS_ALIVE,
    )
    return citizen, [citizen.full_name, address.detail, citizen.household_id]


def leaks(message: Any, secrets: list[str]) -> list[str]:
    text = text_format.MessageToString(message, as_utf8=True) if message is not None else ""
    return [s for s in secrets if s in text]


def undisclosed(message: Any) -> set[str]:
    """Fields of a Citizen / CitizenView present beyond what a sex-only reader may get."""
    allowed = {"personal_id", "version", "sex", "disclosed_fields", "create_time", "update_time"}
    return {f.name for f, _ in message.ListFields()} - allowed


async def test_every_registry_response_honours_the_callers_disclosure(target: Target) -> None:
    cases = Cases("disclosure", target.name)
    citizen, secrets = secret_citizen()
    owner = await target.agency_token("registry.citizens.write")
    reader = await target.new_agency(READER_SCOPES)
    writer_only = await target.new_agency(["registry.citizens.write"])
    operator = await target.operator_token("registry.policies.admin")
    async with target.channel() as channel:
        registry = registry_pb2_grpc.RegistryServiceStub(channel)
        created = await registry.CreateCitizen(
            pb.CreateCitizenRequest(citizen=citizen, legal_reason="Đăng ký khai sinh"), metadata=bearer(owner)
        )
        await registry.SetDisclosurePolicy(
            pb.SetDisclosurePolicyRequest(
                policy=pb.DisclosurePolicy(
                    agency_id=reader["agency_id"], purpose=SEX_ONLY, legal_basis="Kiểm thử", fields=["sex"]
                )
            ),
            metadata=bearer(operator),
        )
    reader_token = await target.token(reader["client_id"], reader["client_secret"])
    writer_token = await target.token(writer_only["client_id"], writer_only["client_secret"])
    pid = citizen.personal_id

    for door in ("gateway", "registry"):
        address = target.gateway if door == "gateway" else target.services["registry"]
        async with target.channel(address) as channel:
            registry = registry_pb2_grpc.RegistryServiceStub(channel)
            md = bearer(reader_token)
            responses: dict[str, Any] = {}
            got = await registry.GetCitizen(
                pb.GetCitizenRequest(personal_id=pid, purpose=SEX_ONLY), metadata=md
            )
            responses["GetCitizen"] = got
            cases.check(
                f"GetCitizen fields @ {door}", not undisclosed(got.citizen), str(undisclosed(got.citizen))
            )
            household = await registry.ListHousehold(
                pb.ListHouseholdRequest(household_id=citizen.household_id, purpose=SEX_ONLY), metadata=md
            )
            responses["ListHousehold"] = household
            cases.check(
                f"ListHousehold fields @ {door}",
                bool(household.members) and not any(undisclosed(m) for m in household.members),
            )
            history = await registry.GetCitizenHistory(
                pb.GetCitizenHistoryRequest(personal_id=pid, purpose=SEX_ONLY), metadata=md
            )
            responses["GetCitizenHistory"] = history
            found = await registry.SearchCitizens(
                pb.SearchCitizensRequest(
                    full_name=citizen.full_name, date_of_birth=citizen.date_of_birth, purpose=SEX_ONLY
                ),
                metadata=md,
            )
            responses["SearchCitizens"] = found
            cases.check(f"SearchCitizens fields @ {door}", not any(undisclosed(c) for c in found.citizens))
            responses["VerifyCitizen"] = await registry.VerifyCitizen(
                pb.VerifyCitizenRequest(
                    personal_id=pid, claims=pb.CitizenClaims(full_name=citizen.full_name), purpose=SEX_ONLY
                ),
                metadata=md,
            )
            responses["ListAccessLog"] = await registry.ListAccessLog(
                pb.ListAccessLogRequest(personal_id=pid), metadata=md
            )
            # Writing is not reading: the answer carries what the writer wrote, nothing else.
            version = got.citizen.version
            moved = pb.Address(
                province_code="79", ward_code="26740", detail=f"Nơi mới {uuid.uuid4().hex[:4]}"
            )
            updated = await registry.UpdateCitizen(
                pb.UpdateCitizenRequest(
                    personal_id=pid,
                    expected_version=version,
                    citizen=pb.Citizen(current_address=moved),
                    update_mask=FieldMask(paths=["current_address"]),
                    legal_reason="Xác nhận cư trú",
                ),
                metadata=md,
            )
            responses["UpdateCitizen (reader)"] = updated
            cases.check(
                f"UpdateCitizen answers only the written field @ {door}",
                {f.name for f, _ in updated.citizen.ListFields()}
                <= {"personal_id", "version", "current_address", "create_time", "update_time"},
                str([f.name for f, _ in updated.citizen.ListFields()]),
            )
            blind = await registry.UpdateCitizen(
                pb.UpdateCitizenRequest(
                    personal_id=pid,
                    expected_version=updated.citizen.version,
                    citizen=pb.Citizen(household_relation=pb.HOUSEHOLD_RELATION_OTHER_RELATIVE),
                    update_mask=FieldMask(paths=["household_relation"]),
                    legal_reason="Điều chỉnh quan hệ chủ hộ",
                ),
                metadata=bearer(writer_token),
            )
            responses["UpdateCitizen (write scope only, no policy)"] = blind
            cases.check(
                f"UpdateCitizen by a write-only client answers only the written field @ {door}",
                {f.name for f, _ in blind.citizen.ListFields()}
                <= {"personal_id", "version", "household_relation", "create_time", "update_time"},
            )
            # Put it back for the second door.
            await registry.UpdateCitizen(
                pb.UpdateCitizenRequest(
                    personal_id=pid,
                    expected_version=blind.citizen.version,
                    citizen=pb.Citizen(household_relation=pb.HOUSEHOLD_RELATION_HEAD),
                    update_mask=FieldMask(paths=["household_relation"]),
                    legal_reason="Điều chỉnh quan hệ chủ hộ",
                ),
                metadata=bearer(writer_token),
            )
            for name, response in responses.items():
                found_secrets = leaks(response, secrets)
                cases.check(
                    f"{name} reveals no undisclosed value @ {door}", not found_secrets, str(found_secrets)
                )
            for purpose in ("not.granted", "", SEX_ONLY + ".x"):
                try:
                    await registry.GetCitizen(
                        pb.GetCitizenRequest(personal_id=pid, purpose=purpose), metadata=md
                    )
                    cases.check(f"GetCitizen purpose {purpose!r} refused @ {door}", False, "answered OK")
                except grpc.aio.AioRpcError as error:
                    text = f"{error.details()} {error.trailing_metadata()}"
                    cases.check(
                        f"GetCitizen purpose {purpose!r} refused without data @ {door}",
                        error.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.INVALID_ARGUMENT)
                        and not [s for s in secrets if s in text],
                        error.code().name,
                    )
    assert created.citizen.version == 1
    cases.done()
