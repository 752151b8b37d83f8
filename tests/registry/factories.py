"""Test data for the registry: valid citizens with unique personal IDs, requests and error inspection."""

from __future__ import annotations

import datetime as dt
import random

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from lienthong.common.v1 import date_pb2
from lienthong.registry.v1 import registry_pb2 as pb
from lienthong_registry.domain.personal_id import century_sex_digit
from lienthong_registry.domain.sex import Sex

HANOI, HOAN_KIEM, BA_DINH = "01", "00070", "00004"
ALL_SCOPES = (
    "registry.citizens.read",
    "registry.citizens.write",
    "registry.citizens.verify",
    "registry.citizens.search",
    "registry.policies.admin",
    "registry.access_log.audit",
    "platform.admin",
)


def personal_id(birth: dt.date, sex: Sex = Sex.MALE, province: str = "001") -> str:
    digit = century_sex_digit(birth.year, sex)
    return f"{province}{digit}{birth.year % 100:02d}{random.randrange(10**6):06d}"


def date(d: dt.date) -> date_pb2.Date:
    return date_pb2.Date(year=d.year, month=d.month, day=d.day)


def citizen(
    name: str = "Nguyễn Văn An",
    birth: dt.date = dt.date(1990, 5, 17),
    sex: Sex = Sex.MALE,
    *,
    household: str = "",
    relation: int = 0,
    pid: str | None = None,
) -> pb.Citizen:
    return pb.Citizen(
        personal_id=pid or personal_id(birth, sex),
        full_name=name,
        date_of_birth=date(birth),
        sex=int(sex),
        nationality="VN",
        place_of_birth=pb.Address(province_code=HANOI, ward_code=BA_DINH),
        permanent_address=pb.Address(province_code=HANOI, ward_code=HOAN_KIEM, detail="12 Hàng Bạc"),
        current_address=pb.Address(province_code=HANOI, ward_code=BA_DINH, detail="5 Điện Biên Phủ"),
        household_id=household,
        household_relation=relation,
        life_status=pb.LIFE_STATUS_ALIVE,
    )


def bad_request(error: grpc.aio.AioRpcError) -> list[tuple[str, str]]:
    """The (field, description) pairs of the BadRequest detail of an error."""
    status = rpc_status.from_call(error)
    out = []
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            request = error_details_pb2.BadRequest()
            detail.Unpack(request)
            out.extend((v.field, v.description) for v in request.field_violations)
    return out


def reason(error: grpc.aio.AioRpcError) -> str:
    status = rpc_status.from_call(error)
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""
