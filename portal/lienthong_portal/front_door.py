"""The platform as the portal sees it: the generated client, through the front door, with the citizen's token.

Every call carries the signed-in citizen's own access token, so what the portal can show is exactly what the
platform lets that citizen read (``citizen.self``); the portal adds no privilege of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from lienthong.client import connect, error_info
from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong.notify.v1 import notify_pb2, notify_pb2_grpc
from lienthong.registry.v1 import registry_pb2, registry_pb2_grpc

#: Entries per ListMyAccessLog page (the contract's maximum).
PAGE = 500


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str


class LoginRefused(Exception):
    """Identity refused the login; ``reason`` is its ErrorInfo reason (TOTP_REQUIRED, INVALID_CREDENTIALS...)."""

    def __init__(self, reason: str, code: grpc.StatusCode) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class SessionEnded(Exception):
    """The citizen's tokens are no longer accepted (expired and not refreshable, revoked)."""


def _reason(error: grpc.aio.AioRpcError) -> str:
    info = error_info(error)
    return info.reason if info else ""


def _bearer(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


class FrontDoor:
    """One channel to the gateway, shared by every request of the portal."""

    def __init__(self, target: str, ca_file: str | None = None, server_name: str | None = None) -> None:
        root = Path(ca_file).read_bytes() if ca_file else None
        options = [("grpc.ssl_target_name_override", server_name)] if root and server_name else []
        self.channel = connect(target, root_certificates=root, default_timeout=10.0, options=options)
        self.identity = identity_pb2_grpc.IdentityServiceStub(self.channel)
        self.registry = registry_pb2_grpc.RegistryServiceStub(self.channel)
        self.notify = notify_pb2_grpc.NotifyServiceStub(self.channel)

    async def close(self) -> None:
        await self.channel.close()

    async def login(self, personal_id: str, password: str, totp_code: str = "") -> Tokens:
        try:
            reply = await self.identity.Login(
                identity_pb2.LoginRequest(personal_id=personal_id, password=password, totp_code=totp_code)
            )
        except grpc.aio.AioRpcError as error:
            raise LoginRefused(_reason(error) or error.code().name, error.code()) from None
        return Tokens(reply.access_token, reply.refresh_token)

    async def refresh(self, refresh_token: str) -> Tokens:
        try:
            reply = await self.identity.RefreshToken(
                identity_pb2.RefreshTokenRequest(refresh_token=refresh_token)
            )
        except grpc.aio.AioRpcError:
            raise SessionEnded from None
        return Tokens(reply.access_token, reply.refresh_token)

    async def logout(self, tokens: Tokens) -> None:
        try:
            await self.identity.Logout(
                identity_pb2.LogoutRequest(refresh_token=tokens.refresh_token),
                metadata=_bearer(tokens.access_token),
            )
        except grpc.aio.AioRpcError:
            pass  # an expired session is ended anyway; the cookie is cleared regardless

    async def my_record(self, access_token: str) -> registry_pb2.Citizen | None:
        try:
            reply = await self.registry.GetMyRecord(
                registry_pb2.GetMyRecordRequest(), metadata=_bearer(access_token)
            )
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.NOT_FOUND:
                return None
            raise
        return reply.citizen

    async def my_access_log(
        self, access_token: str, start: dt.datetime | None, limit: int
    ) -> tuple[list[registry_pb2.AccessLogEntry], bool]:
        """Entries newest first from ``start`` on, at most ``limit``; True when more were left out."""
        request = registry_pb2.ListMyAccessLogRequest(page_size=PAGE)
        if start is not None:
            stamp = Timestamp()
            stamp.FromDatetime(start)
            request.start_time.CopyFrom(stamp)
        entries: list[registry_pb2.AccessLogEntry] = []
        while True:
            reply = await self.registry.ListMyAccessLog(request, metadata=_bearer(access_token))
            entries.extend(reply.entries)
            if not reply.next_page_token or len(entries) >= limit:
                return entries[:limit], bool(reply.next_page_token) or len(entries) > limit
            request.page_token = reply.next_page_token

    async def my_notifications(self, access_token: str, limit: int = 200) -> list[notify_pb2.Notification]:
        """The newest notifications sent to the citizen's contact (receipts included), at most ``limit``."""
        reply = await self.notify.ListMyNotifications(
            notify_pb2.ListMyNotificationsRequest(page_size=limit), metadata=_bearer(access_token)
        )
        return list(reply.notifications)

    async def agency_names(self, access_token: str, agency_ids: Sequence[str]) -> dict[str, str]:
        names: dict[str, str] = {}
        wanted = sorted(set(filter(None, agency_ids)))
        for i in range(0, len(wanted), 100):
            reply = await self.identity.GetAgencyNames(
                identity_pb2.GetAgencyNamesRequest(agency_ids=wanted[i : i + 100]),
                metadata=_bearer(access_token),
            )
            names.update((n.agency_id, n.display_name) for n in reply.names)
        return names


def unauthenticated(error: BaseException) -> bool:
    return isinstance(error, grpc.aio.AioRpcError) and error.code() is grpc.StatusCode.UNAUTHENTICATED
