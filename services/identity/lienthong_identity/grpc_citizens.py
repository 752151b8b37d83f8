"""The citizen-account RPCs of identity's servicer (a part of :class:`~.grpc_api.IdentityService`): proto in,
plain values to ``handlers/citizens.py`` and ``handlers/totp.py``, proto out."""

from __future__ import annotations

from typing import Any

from lienthong.identity.v1 import identity_pb2 as pb
from lienthong_runtime.auth import require_principal

from . import grpc_convert as conv
from .handlers import citizens, totp
from .handlers.context import Context
from .handlers.ports import IdentityUnitOfWork


class CitizenRpcs:
    """Mixed into ``IdentityService``, which provides ``_deps`` and ``_caller``."""

    def _deps(self) -> tuple[IdentityUnitOfWork, Context]:
        raise NotImplementedError

    def _caller(self, context: Any) -> Any:
        raise NotImplementedError

    async def RegisterCitizen(
        self, request: pb.RegisterCitizenRequest, context: Any
    ) -> pb.RegisterCitizenResponse:
        account_id = await citizens.register(
            *self._deps(),
            self._caller(context),
            request.personal_id,
            request.password,
            request.email,
            request.phone_number,
        )
        return pb.RegisterCitizenResponse(account_id=account_id)

    async def Login(self, request: pb.LoginRequest, context: Any) -> pb.LoginResponse:
        session = await citizens.login(
            *self._deps(),
            self._caller(context),
            request.personal_id,
            request.password,
            request.totp_code,
        )
        return pb.LoginResponse(**_session_fields(session))

    async def RefreshToken(self, request: pb.RefreshTokenRequest, context: Any) -> pb.RefreshTokenResponse:
        session = await citizens.refresh(*self._deps(), self._caller(context), request.refresh_token)
        return pb.RefreshTokenResponse(**_session_fields(session))

    async def EnrollTotp(self, request: pb.EnrollTotpRequest, context: Any) -> pb.EnrollTotpResponse:
        secret, uri = await totp.enroll(*self._deps(), self._caller(context), require_principal())
        return pb.EnrollTotpResponse(secret=secret, provisioning_uri=uri)

    async def ConfirmTotp(self, request: pb.ConfirmTotpRequest, context: Any) -> pb.ConfirmTotpResponse:
        await totp.confirm(*self._deps(), self._caller(context), require_principal(), request.totp_code)
        return pb.ConfirmTotpResponse()

    async def ChangePassword(
        self, request: pb.ChangePasswordRequest, context: Any
    ) -> pb.ChangePasswordResponse:
        await citizens.change_password(
            *self._deps(),
            self._caller(context),
            require_principal(),
            request.current_password,
            request.new_password,
        )
        return pb.ChangePasswordResponse()

    async def Logout(self, request: pb.LogoutRequest, context: Any) -> pb.LogoutResponse:
        await citizens.logout(
            *self._deps(), self._caller(context), require_principal(), request.refresh_token
        )
        return pb.LogoutResponse()


def _session_fields(session: citizens.Session) -> dict[str, Any]:
    return {
        "access_token": session.access.access_token,
        "refresh_token": session.refresh_token,
        "expires_in": session.access.expires_in,
        "expire_time": conv.ts(session.access.expires_at),
        "refresh_expire_time": conv.ts(session.refresh_expires_at),
    }
