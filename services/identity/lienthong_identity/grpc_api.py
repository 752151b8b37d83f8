"""gRPC servicer of the identity service: proto in, command to a handler, proto out."""

from __future__ import annotations

from typing import Any

from lienthong.identity.v1 import identity_pb2 as pb
from lienthong.identity.v1 import identity_pb2_grpc
from lienthong_runtime.auth import require_agency
from lienthong_runtime.config import trusted_proxies
from lienthong_runtime.paging import page_size
from lienthong_runtime.timestamps import datetime_of

from . import grpc_convert as conv
from .grpc_citizens import CitizenRpcs
from .handlers import agencies, audit, clients, keys, tokens
from .handlers.context import Context
from .handlers.ports import IdentityUnitOfWork


class IdentityService(CitizenRpcs, identity_pb2_grpc.IdentityServiceServicer):
    """Every method takes the agency from the verified token (``require_principal``), never from a field."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.proxies = trusted_proxies(ctx.settings)

    def _deps(self) -> tuple[IdentityUnitOfWork, Context]:
        """What every handler takes first: a new unit of work for this call, and the collaborators."""
        return self.ctx.uow(), self.ctx

    def _caller(self, context: Any) -> Any:
        return conv.caller(context, self.proxies)

    def _agency_caller(self, context: Any) -> Any:
        """The caller of a method for an agency's own clients: PERMISSION_DENIED ``AGENCY_REQUIRED`` unless the
        token is an agency's machine client."""
        require_agency()
        return conv.caller(context, self.proxies)

    # ---- agencies ----

    async def CreateAgency(self, request: pb.CreateAgencyRequest, context: Any) -> pb.CreateAgencyResponse:
        agency, client, secret = await agencies.create_agency(
            *self._deps(),
            self._caller(context),
            request.display_name,
            conv.kind_of(request.kind),
            request.province_code,
            list(request.allowed_scopes),
            list(request.initial_client_scopes),
            request.idempotency_key,
        )
        return pb.CreateAgencyResponse(
            agency=conv.agency(agency),
            initial_client_secret=secret,
            initial_client=conv.client(client) if client else None,
        )

    async def GetAgency(self, request: pb.GetAgencyRequest, context: Any) -> pb.GetAgencyResponse:
        agency = await agencies.get_agency(*self._deps(), self._caller(context), request.agency_id)
        return pb.GetAgencyResponse(agency=conv.agency(agency))

    async def ListAgencies(self, request: pb.ListAgenciesRequest, context: Any) -> pb.ListAgenciesResponse:
        rows, token = await agencies.list_agencies(
            *self._deps(),
            conv.agency_state_of(request.state),
            page_size(request.page_size),
            request.page_token,
        )
        return pb.ListAgenciesResponse(agencies=[conv.agency(a) for a in rows], next_page_token=token)

    async def SuspendAgency(self, request: pb.SuspendAgencyRequest, context: Any) -> pb.SuspendAgencyResponse:
        agency = await agencies.suspend_agency(
            *self._deps(), self._caller(context), request.agency_id, request.reason
        )
        return pb.SuspendAgencyResponse(agency=conv.agency(agency))

    async def ResumeAgency(self, request: pb.ResumeAgencyRequest, context: Any) -> pb.ResumeAgencyResponse:
        agency = await agencies.resume_agency(*self._deps(), self._caller(context), request.agency_id)
        return pb.ResumeAgencyResponse(agency=conv.agency(agency))

    async def SetAgencyAllowedScopes(
        self, request: pb.SetAgencyAllowedScopesRequest, context: Any
    ) -> pb.SetAgencyAllowedScopesResponse:
        agency = await agencies.set_allowed_scopes(
            *self._deps(), self._caller(context), request.agency_id, list(request.allowed_scopes)
        )
        return pb.SetAgencyAllowedScopesResponse(agency=conv.agency(agency))

    # ---- machine clients ----

    async def CreateClient(self, request: pb.CreateClientRequest, context: Any) -> pb.CreateClientResponse:
        client, secret = await clients.create_client(
            *self._deps(),
            self._agency_caller(context),
            request.display_name,
            list(request.scopes),
            request.idempotency_key,
        )
        return pb.CreateClientResponse(client=conv.client(client), client_secret=secret)

    async def GetClient(self, request: pb.GetClientRequest, context: Any) -> pb.GetClientResponse:
        client = await clients.get_client(*self._deps(), self._agency_caller(context), request.client_id)
        return pb.GetClientResponse(client=conv.client(client))

    async def ListClients(self, request: pb.ListClientsRequest, context: Any) -> pb.ListClientsResponse:
        rows, token = await clients.list_clients(
            *self._deps(),
            self._agency_caller(context),
            conv.client_state_of(request.state),
            page_size(request.page_size),
            request.page_token,
        )
        return pb.ListClientsResponse(clients=[conv.client(c) for c in rows], next_page_token=token)

    async def DisableClient(self, request: pb.DisableClientRequest, context: Any) -> pb.DisableClientResponse:
        client = await clients.disable_client(
            *self._deps(), self._agency_caller(context), request.client_id, request.reason
        )
        return pb.DisableClientResponse(client=conv.client(client))

    async def RotateClientSecret(
        self, request: pb.RotateClientSecretRequest, context: Any
    ) -> pb.RotateClientSecretResponse:
        overlap = request.overlap.ToTimedelta().total_seconds() if request.HasField("overlap") else 0.0
        client, secret, until = await clients.rotate_secret(
            *self._deps(), self._agency_caller(context), request.client_id, overlap
        )
        return pb.RotateClientSecretResponse(
            client=conv.client(client), client_secret=secret, previous_secret_expire_time=conv.ts(until)
        )

    async def SetClientScopes(
        self, request: pb.SetClientScopesRequest, context: Any
    ) -> pb.SetClientScopesResponse:
        client = await clients.set_scopes(
            *self._deps(), self._agency_caller(context), request.client_id, list(request.scopes)
        )
        return pb.SetClientScopesResponse(client=conv.client(client))

    async def RegisterClientKey(
        self, request: pb.RegisterClientKeyRequest, context: Any
    ) -> pb.RegisterClientKeyResponse:
        key = await clients.register_key(
            *self._deps(), self._agency_caller(context), request.client_id, request.public_jwk
        )
        return pb.RegisterClientKeyResponse(key=conv.client_key(key))

    async def DeleteClientKey(
        self, request: pb.DeleteClientKeyRequest, context: Any
    ) -> pb.DeleteClientKeyResponse:
        await clients.delete_key(
            *self._deps(), self._agency_caller(context), request.client_id, request.key_id
        )
        return pb.DeleteClientKeyResponse()

    # ---- tokens and keys ----

    async def IssueToken(self, request: pb.IssueTokenRequest, context: Any) -> pb.IssueTokenResponse:
        token = await tokens.issue_token(
            *self._deps(),
            self._caller(context),
            request.client_id,
            request.client_secret,
            request.client_assertion,
            list(request.scopes),
        )
        return conv.issued(token)

    async def GetJwks(self, request: pb.GetJwksRequest, context: Any) -> pb.GetJwksResponse:
        store = self.ctx.keys
        return pb.GetJwksResponse(keys=[conv.jwk(k) for k in store.jwks["keys"]], jwks_json=store.jwks_json)

    async def RotateSigningKey(
        self, request: pb.RotateSigningKeyRequest, context: Any
    ) -> pb.RotateSigningKeyResponse:
        rotated = await keys.rotate_signing_key(*self._deps(), self._caller(context))
        assert rotated is not None  # an unconditional rotation always happens
        now = self.ctx.now()
        return pb.RotateSigningKeyResponse(
            current_key=conv.signing_key(rotated[0], now), next_key=conv.signing_key(rotated[1], now)
        )

    async def ListSigningKeys(
        self, request: pb.ListSigningKeysRequest, context: Any
    ) -> pb.ListSigningKeysResponse:
        rows, token = await keys.list_signing_keys(self.ctx, page_size(request.page_size), request.page_token)
        now = self.ctx.now()
        return pb.ListSigningKeysResponse(
            keys=[conv.signing_key(k, now) for k in rows], next_page_token=token
        )

    async def IntrospectToken(
        self, request: pb.IntrospectTokenRequest, context: Any
    ) -> pb.IntrospectTokenResponse:
        found = await tokens.introspect(
            *self._deps(), request.token, conv.HINTS.get(request.token_type_hint, "")
        )
        if not found.active:
            return pb.IntrospectTokenResponse(active=False)
        kind = (
            pb.TOKEN_TYPE_HINT_REFRESH_TOKEN if found.kind == "refresh" else pb.TOKEN_TYPE_HINT_ACCESS_TOKEN
        )
        return pb.IntrospectTokenResponse(
            active=True,
            scopes=sorted(found.scopes),
            client_id=found.client_id,
            subject=found.subject,
            agency_id=found.agency_id,
            token_type=kind,
            issue_time=conv.ts(found.issued_at),
            expire_time=conv.ts(found.expires_at),
            token_id=found.token_id,
        )

    async def RevokeToken(self, request: pb.RevokeTokenRequest, context: Any) -> pb.RevokeTokenResponse:
        await tokens.revoke(
            *self._deps(),
            self._caller(context),
            request.token,
            conv.HINTS.get(request.token_type_hint, ""),
        )
        return pb.RevokeTokenResponse()

    async def GetAgencyNames(
        self, request: pb.GetAgencyNamesRequest, context: Any
    ) -> pb.GetAgencyNamesResponse:
        found = await agencies.agency_names(*self._deps(), list(request.agency_ids))
        return pb.GetAgencyNamesResponse(names=[pb.AgencyName(agency_id=a, display_name=n) for a, n in found])

    # ---- audit ----

    async def ListAuditEvents(
        self, request: pb.ListAuditEventsRequest, context: Any
    ) -> pb.ListAuditEventsResponse:
        events, token = await audit.list_audit_events(
            *self._deps(),
            self._caller(context),
            action=request.action,
            outcome=conv.outcome_of(request.outcome),
            start=datetime_of(request, "start_time"),
            end=datetime_of(request, "end_time"),
            size=page_size(request.page_size),
            token=request.page_token,
        )
        return pb.ListAuditEventsResponse(events=[conv.audit_event(e) for e in events], next_page_token=token)
