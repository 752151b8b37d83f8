"""The directory follows identity: only agencies identity created can be registered, and an agency identity
suspended can neither send nor receive until resumed. identity's events arrive on the bus as identity publishes
them (``AgencyCreated``, ``AgencySuspended``, ``AgencyResumed``), possibly late or out of order."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from lienthong.documents.v1 import documents_pb2 as pb
from lienthong.identity.v1 import events_pb2 as identity_events

from .conftest import Agency, Docs, new_code

pytestmark = pytest.mark.postgres


def reason_of(error: grpc.aio.AioRpcError) -> str:
    status = rpc_status.from_call(error)
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""


def ago(seconds: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromNanoseconds(int((time.time() - seconds) * 1e9))
    return stamp


async def refused(call: Awaitable[Any]) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def eventually(attempt: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Until ``attempt()`` holds (the bus delivers asynchronously)."""
    deadline = time.monotonic() + timeout
    while not await attempt():
        assert time.monotonic() < deadline, "identity's event was not applied in time"
        await asyncio.sleep(0.05)


async def suspended(docs: Docs, agency: Agency, minutes_ago: float) -> None:
    await docs.identity_says(
        identity_events.AgencySuspended(
            agency_id=agency.agency_id, reason="test", suspend_time=ago(minutes_ago * 60)
        ),
        agency.agency_id,
    )


async def resumed(docs: Docs, agency: Agency, minutes_ago: float) -> None:
    await docs.identity_says(
        identity_events.AgencyResumed(agency_id=agency.agency_id, resume_time=ago(minutes_ago * 60)),
        agency.agency_id,
    )


async def send_outcome(sender: Agency, receiver: Agency) -> str:
    """``sent`` or the reason of the refusal."""
    try:
        await sender.send([receiver])
    except grpc.aio.AioRpcError as error:
        return reason_of(error)
    return "sent"


async def test_an_agency_identity_does_not_know_is_refused(docs: Docs):
    error = await refused(
        docs.stub.RegisterAgency(
            pb.RegisterAgencyRequest(
                agency_id=f"agency-{uuid.uuid4().hex[:12]}", code=new_code(), display_name="Sở giả"
            ),
            metadata=docs.admin_md(),
        )
    )
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and reason_of(error) == "AGENCY_UNKNOWN"


async def test_registration_waits_for_an_agency_created_just_now_and_takes_its_name(docs: Docs):
    agency_id = f"agency-{uuid.uuid4().hex[:12]}"
    code = new_code()
    registering = asyncio.ensure_future(
        docs.stub.RegisterAgency(
            pb.RegisterAgencyRequest(agency_id=agency_id, code=code), metadata=docs.admin_md(), timeout=30
        )
    )
    await asyncio.sleep(0.3)  # the operator was quicker than identity's event
    assert not registering.done()
    await docs.identity_created(agency_id, "Sở Nội vụ tỉnh Huế", province="46")
    entry = (await registering).agency
    assert (entry.agency_id, entry.code) == (agency_id, code)
    assert (entry.display_name, entry.province_code) == ("Sở Nội vụ tỉnh Huế", "46")


async def test_a_suspended_agency_neither_sends_nor_receives_until_resumed(docs: Docs):
    sender, receiver = await docs.agency(), await docs.agency()
    assert await send_outcome(sender, receiver) == "sent"

    await suspended(docs, receiver, minutes_ago=3)

    async def refused_to_receive() -> bool:
        return await send_outcome(sender, receiver) == "RECIPIENT_SUSPENDED"

    await eventually(refused_to_receive)
    # Its own calls are refused too: by the runtime's token check or by documents' own (defence in depth).
    for call in (
        receiver.ListInbox(pb.ListInboxRequest()),
        receiver.SetReceivePolicy(pb.SetReceivePolicyRequest()),
        receiver.upload(b"%PDF-1.4 reply"),
    ):
        error = await refused(call)
        assert error.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.UNAUTHENTICATED)
        assert reason_of(error) == "AGENCY_SUSPENDED"

    await resumed(docs, receiver, minutes_ago=2)

    async def receives_again() -> bool:
        return await send_outcome(sender, receiver) == "sent"

    await eventually(receives_again)
    # A suspension older than the resumption arrives late: the directory keeps the newer state. (The runtime's
    # token check, which keeps no instants per state, would now refuse the receiver's own tokens again.)
    await suspended(docs, receiver, minutes_ago=2.5)
    await asyncio.sleep(0.5)
    assert await send_outcome(sender, receiver) == "sent"


async def test_a_suspension_that_overtakes_the_creation_is_kept(docs: Docs):
    sender = await docs.agency()
    late = Agency(docs.stub, docs.mint, f"agency-{uuid.uuid4().hex[:12]}", new_code())
    await suspended(docs, late, minutes_ago=1)
    await docs.identity_created(late.agency_id, "Bộ Tư pháp", province="")
    entry = (
        await docs.stub.RegisterAgency(
            pb.RegisterAgencyRequest(agency_id=late.agency_id, code=late.code), metadata=docs.admin_md()
        )
    ).agency
    assert entry.display_name == "Bộ Tư pháp" and entry.province_code == ""
    assert await send_outcome(sender, late) == "RECIPIENT_SUSPENDED"
