"""Citizen accounts: registration policy, sessions, password change, logout and brute-force slowing."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest

from lienthong.identity.v1 import identity_pb2 as pb

from .conftest import reason_of

PASSWORD = "một-mật-khẩu-đủ-dài"


def new_pid() -> str:
    return f"079{'3'}{'01'}{uuid.uuid4().int % 10**6:06d}"


def bearer(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


async def registered(identity) -> str:
    pid = new_pid()
    await identity.stub.RegisterCitizen(
        pb.RegisterCitizenRequest(personal_id=pid, password=PASSWORD, email="dan@example.vn")
    )
    return pid


@pytest.mark.parametrize("password", ["short", "123456789012", "aaaaaaaaaaaaaaaa"])
async def test_password_policy(identity, password):
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await identity.stub.RegisterCitizen(
            pb.RegisterCitizenRequest(personal_id=new_pid(), password=password)
        )
    assert (error.value.code(), reason_of(error.value)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "PASSWORD_POLICY",
    )


async def test_duplicate_registration_is_refused(identity):
    pid = await registered(identity)
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await identity.stub.RegisterCitizen(pb.RegisterCitizenRequest(personal_id=pid, password=PASSWORD))
    assert error.value.code() == grpc.StatusCode.ALREADY_EXISTS


async def test_password_change_revokes_every_session(identity):
    pid = await registered(identity)
    first = await identity.stub.Login(pb.LoginRequest(personal_id=pid, password=PASSWORD))
    second = await identity.stub.Login(pb.LoginRequest(personal_id=pid, password=PASSWORD))
    new_password = PASSWORD + "-mới"
    await identity.stub.ChangePassword(
        pb.ChangePasswordRequest(current_password=PASSWORD, new_password=new_password),
        metadata=bearer(first.access_token),
    )
    admin = await identity.admin()
    for token in (first.access_token, first.refresh_token, second.refresh_token):
        assert not (
            await identity.stub.IntrospectToken(pb.IntrospectTokenRequest(token=token), metadata=admin)
        ).active
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await identity.stub.EnrollTotp(pb.EnrollTotpRequest(), metadata=bearer(first.access_token))
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
    fresh = await identity.stub.Login(pb.LoginRequest(personal_id=pid, password=new_password))
    found = await identity.stub.IntrospectToken(
        pb.IntrospectTokenRequest(token=fresh.access_token), metadata=admin
    )
    assert found.active and found.subject.startswith("citizen:") and list(found.scopes) == ["citizen.self"]


async def test_logout_ends_the_session(identity):
    pid = await registered(identity)
    session = await identity.stub.Login(pb.LoginRequest(personal_id=pid, password=PASSWORD))
    await identity.stub.Logout(
        pb.LogoutRequest(refresh_token=session.refresh_token), metadata=bearer(session.access_token)
    )
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await identity.stub.RefreshToken(pb.RefreshTokenRequest(refresh_token=session.refresh_token))
    assert reason_of(error.value) == "REFRESH_TOKEN_INVALID"
    revoked = pb.RevokeTokenRequest(token=session.access_token)
    await identity.stub.RevokeToken(revoked)  # already revoked: still OK, reveals nothing


async def test_failures_slow_down_then_cap_and_success_resets(identity):
    """Delays grow per account, are capped (the test settings cap at 1 s), and the right password after the
    wait gets the citizen in and resets the counter: an attacker cannot lock the citizen out."""
    pid = await registered(identity)
    source = (("x-forwarded-for", f"203.0.113.{uuid.uuid4().int % 250}"),)
    wrong = pb.LoginRequest(personal_id=pid, password="sai-mật-khẩu-rồi")
    retry_delays: list[float] = []
    for _ in range(12):
        try:
            await identity.stub.Login(wrong, metadata=source)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
                assert reason_of(error) == "LOGIN_THROTTLED"
                retry_delays.append(_retry_after(error))
                await asyncio.sleep(min(_retry_after(error), 2.0) + 0.05)
            else:
                assert reason_of(error) == "INVALID_CREDENTIALS"
        if len(retry_delays) >= 3:
            break
    assert retry_delays and max(retry_delays) <= 1.0  # delays appear and never exceed the cap
    for _ in range(40):  # the real citizen waits at most the cap, then gets in
        try:
            await identity.stub.Login(pb.LoginRequest(personal_id=pid, password=PASSWORD), metadata=source)
            break
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            await asyncio.sleep(min(_retry_after(error), 2.0) + 0.05)
    else:
        pytest.fail("the citizen never got in")
    with pytest.raises(grpc.aio.AioRpcError) as error:  # counter reset: a failure is a plain failure again
        await identity.stub.Login(wrong, metadata=source)
    assert reason_of(error.value) == "INVALID_CREDENTIALS"


def _retry_after(error: grpc.aio.AioRpcError) -> float:
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    for detail in rpc_status.from_call(error).details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            return info.retry_delay.ToTimedelta().total_seconds()
    return 1.0
