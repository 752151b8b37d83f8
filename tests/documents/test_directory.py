"""The agency directory: one identity agency, one code in the national format; lookup and search."""

from __future__ import annotations

import uuid

import grpc
import pytest

from lienthong.documents.v1 import documents_pb2 as pb

from .conftest import Docs

pytestmark = pytest.mark.postgres


async def test_register_look_up_and_search(docs: Docs):
    tag = uuid.uuid4().hex[:6]
    hanoi = await docs.agency(
        f"Sở Tài chính Hà Nội {tag}", province="01", email="vanthu@stc.hanoi.example.vn"
    )
    await docs.agency(f"Sở Y tế Hà Nội {tag}", province="01")
    hue = await docs.agency(f"Sở Tài chính Huế {tag}", province="46")

    found = (await hue.GetDirectoryAgency(pb.GetDirectoryAgencyRequest(code=hanoi.code.lower()))).agency
    assert found.agency_id == hanoi.agency_id and found.province_code == "01"
    assert found.notification_email == ""  # another agency's address is not shown
    own = (await hanoi.GetDirectoryAgency(pb.GetDirectoryAgencyRequest(code=hanoi.code))).agency
    assert own.notification_email == "vanthu@stc.hanoi.example.vn"

    by_name = await hue.SearchDirectoryAgencies(
        pb.SearchDirectoryAgenciesRequest(query=f"so tai chinh {tag}")
    )
    assert sorted(a.code for a in by_name.agencies) == sorted([hanoi.code, hue.code])
    in_province = await hue.SearchDirectoryAgencies(
        pb.SearchDirectoryAgenciesRequest(query=tag, province_code="01")
    )
    assert len(in_province.agencies) == 2 and {a.province_code for a in in_province.agencies} == {"01"}
    by_code = await hue.SearchDirectoryAgencies(pb.SearchDirectoryAgenciesRequest(code_prefix=hue.code))
    assert [a.code for a in by_code.agencies] == [hue.code]
    first = await hue.SearchDirectoryAgencies(pb.SearchDirectoryAgenciesRequest(query=tag, page_size=2))
    rest = await hue.SearchDirectoryAgencies(
        pb.SearchDirectoryAgenciesRequest(query=tag, page_size=2, page_token=first.next_page_token)
    )
    assert len(first.agencies) == 2 and len(rest.agencies) == 1 and rest.next_page_token == ""


async def test_one_agency_one_code_and_the_format_is_checked(docs: Docs):
    agency = await docs.agency()
    admin = docs.admin_md()
    other = f"agency-{uuid.uuid4().hex[:12]}"
    await docs.identity_created(other)
    cases = [
        (
            pb.RegisterAgencyRequest(agency_id=agency.agency_id, code="000.00.01.H77", display_name="x"),
            grpc.StatusCode.ALREADY_EXISTS,
        ),
        (
            pb.RegisterAgencyRequest(agency_id=other, code=agency.code, display_name="x"),
            grpc.StatusCode.ALREADY_EXISTS,
        ),
        (
            pb.RegisterAgencyRequest(agency_id="a-new", code="H-29", display_name="x"),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        (
            pb.RegisterAgencyRequest(
                agency_id="a-new", code="000.00.01.H77", display_name="x", province_code="1"
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
    ]
    for request, code in cases:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await docs.stub.RegisterAgency(request, metadata=admin)
        assert err.value.code() == code, request
    with pytest.raises(grpc.aio.AioRpcError) as err:  # an agency cannot register itself or others
        await agency.RegisterAgency(
            pb.RegisterAgencyRequest(agency_id="a-new", code="000.00.01.H78", display_name="x")
        )
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await agency.GetDirectoryAgency(pb.GetDirectoryAgencyRequest(code="000.00.99.H99"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
