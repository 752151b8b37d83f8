"""Conversions between identity's domain objects and its v1 protobuf messages, and the caller of an RPC."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lienthong.identity.v1 import identity_pb2 as pb
from lienthong_runtime.auth import current_principal
from lienthong_runtime.forwarded import TrustedProxies
from lienthong_runtime.interceptors import current_request_id
from lienthong_runtime.timestamps import optional_timestamp as ts

from .domain.agencies import Agency, AgencyKind, AgencyState
from .domain.audit import AuditEvent, Caller, Outcome
from .domain.clients import Client, ClientKey, ClientState
from .domain.keys import SigningKey
from .handlers.tokens import IssuedToken


def source_ip(context: Any, proxies: TrustedProxies) -> str:
    """The caller's address: the peer, or what a trusted proxy (the gateway) forwarded for it."""
    return proxies.client_address(context.peer() or "", context.invocation_metadata())[:64]


def caller(context: Any, proxies: TrustedProxies) -> Caller:
    principal = current_principal()
    return Caller(
        actor=principal.subject if principal else "anonymous",
        agency_id=principal.agency_id if principal else "",
        source_ip=source_ip(context, proxies),
        request_id=current_request_id(),
        token_id=principal.token_id if principal else "",
        token_expires_at=principal.expires_at if principal else 0.0,
        scopes=principal.scopes if principal else frozenset(),
    )


def kind_of(value: int) -> AgencyKind | None:
    return _by_name(pb.AgencyKind, "AGENCY_KIND_", value, AgencyKind)


def _by_name(enum: Any, prefix: str, value: int, target: Any) -> Any:
    """The domain enum member named like the proto value (``AGENCY_STATE_ACTIVE`` -> ``ACTIVE``), else None."""
    name = enum.Name(value).removeprefix(prefix) if value in enum.values() else ""
    return target(name) if name in target.__members__ else None


def agency_state_of(value: int) -> AgencyState | None:
    return _by_name(pb.AgencyState, "AGENCY_STATE_", value, AgencyState)


def client_state_of(value: int) -> ClientState | None:
    return _by_name(pb.ClientState, "CLIENT_STATE_", value, ClientState)


def agency(a: Agency) -> pb.Agency:
    return pb.Agency(
        id=a.id,
        display_name=a.display_name,
        kind=f"AGENCY_KIND_{a.kind.value}",
        province_code=a.province_code,
        state=f"AGENCY_STATE_{a.state.value}",
        allowed_scopes=sorted(a.allowed_scopes),
        suspend_reason=a.suspend_reason,
        create_time=ts(a.created_at),
        update_time=ts(a.updated_at),
    )


def client_key(k: ClientKey) -> pb.ClientKey:
    return pb.ClientKey(
        key_id=k.key_id, algorithm=k.algorithm, public_jwk=k.public_jwk, create_time=ts(k.created_at)
    )


def client(c: Client) -> pb.Client:
    secrets = c.secrets if c.active else ()
    return pb.Client(
        client_id=c.id,
        agency_id=c.agency_id,
        display_name=c.display_name,
        state=f"CLIENT_STATE_{c.state.value}",
        scopes=sorted(c.scopes),
        secrets=[
            pb.ClientSecretInfo(secret_id=s.id, create_time=ts(s.created_at), expire_time=ts(s.expires_at))
            for s in secrets
        ],
        keys=[client_key(k) for k in c.keys],
        create_time=ts(c.created_at),
        disable_time=ts(c.disabled_at),
    )


def signing_key(k: SigningKey, now: datetime) -> pb.SigningKey:
    return pb.SigningKey(
        kid=k.kid,
        algorithm=k.algorithm,
        state=f"SIGNING_KEY_STATE_{k.state(now).value}",
        create_time=ts(k.created_at),
        activate_time=ts(k.activated_at),
        retire_time=ts(k.retired_at),
        expire_time=ts(k.expires_at),
    )


def jwk(entry: dict[str, Any]) -> pb.JsonWebKey:
    return pb.JsonWebKey(
        kid=entry["kid"],
        kty=entry.get("kty", ""),
        crv=entry.get("crv", ""),
        x=entry.get("x", ""),
        y=entry.get("y", ""),
        alg=entry.get("alg", ""),
        use="sig",
    )


def issued(token: IssuedToken) -> pb.IssueTokenResponse:
    return pb.IssueTokenResponse(
        access_token=token.access_token,
        token_type="Bearer",
        expires_in=token.expires_in,
        expire_time=ts(token.expires_at),
        scopes=sorted(token.scopes),
    )


def audit_event(e: AuditEvent) -> pb.AuditEvent:
    return pb.AuditEvent(
        id=e.id,
        time=ts(e.time),
        action=e.action,
        outcome=pb.AUDIT_OUTCOME_SUCCESS if e.outcome is Outcome.SUCCESS else pb.AUDIT_OUTCOME_FAILURE,
        actor=e.actor,
        agency_id=e.agency_id,
        target=e.target,
        source_ip=e.source_ip,
        reason=e.reason,
        request_id=e.request_id,
    )


def outcome_of(value: int) -> Outcome | None:
    return _by_name(pb.AuditOutcome, "AUDIT_OUTCOME_", value, Outcome)


HINTS = {pb.TOKEN_TYPE_HINT_ACCESS_TOKEN: "access", pb.TOKEN_TYPE_HINT_REFRESH_TOKEN: "refresh"}
