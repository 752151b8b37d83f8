"""Composition root of the documents service: wires settings, the keyring, the PDF verifier, the handlers'
context, the consumer of identity's agency events and the server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from lienthong.documents.v1 import documents_pb2, documents_pb2_grpc
from lienthong_runtime.auth import TokenVerifier
from lienthong_runtime.config import data_folder, secret_value
from lienthong_runtime.config import load_settings as _load
from lienthong_runtime.crypto import load_keyring
from lienthong_runtime.events import OutboxRelay
from lienthong_runtime.resources import Resources, open_resources
from lienthong_runtime.server import ServiceApp

from .adapters.blobs import ChunkStore
from .adapters.dev_pki import ensure_dev_ca
from .adapters.pdf_signatures import PdfVerifier, load_trust_roots
from .adapters.tables import outbox
from .adapters.uow import SqlDocumentsUnitOfWork
from .config import Settings
from .grpc_api import DocumentsService
from .handlers import identity_events
from .handlers.context import Context
from .handlers.housekeeping import purge_unsent_forever
from .handlers.ports import DocumentsUnitOfWork, SignatureVerifier

SERVICE_NAME = documents_pb2.DESCRIPTOR.services_by_name["DocumentsService"].full_name


def load_settings(**overrides: Any) -> Settings:
    return _load(Settings, **overrides)


def create_context(
    settings: Settings,
    resources: Resources,
    *,
    uow_factory: Callable[[], DocumentsUnitOfWork] | None = None,
    pdf: SignatureVerifier | None = None,
) -> Context:
    """Everything the handlers need; production refuses to start without the attachment keyring. The unit of
    work is the SQL one and the verifier the PDF one unless given."""
    keyring = load_keyring(
        secret_value(settings.attachment_keys),
        setting="LIENTHONG_DOCUMENTS_ATTACHMENT_KEYS",
        dev_mode=settings.dev_mode,
        data_dir=data_folder(settings),
        dev_name="documents-attachment-key",
    )
    if pdf is None:
        paths = [p.strip() for p in settings.trust_roots.split(",") if p.strip()]
        if settings.dev_mode and not paths:  # `lienthong dev`: a demo CA, so a signed demo PDF can be VALID
            paths = [ensure_dev_ca(data_folder(settings))]
        pdf = PdfVerifier(load_trust_roots(paths))
    sessions = resources.sessions
    return Context(
        settings=settings,
        uow=uow_factory or (lambda: SqlDocumentsUnitOfWork(sessions, keyring)),
        chunks=ChunkStore(sessions, keyring),
        pdf=pdf,
    )


async def build(settings: Settings, *, verifier: TokenVerifier | None = None) -> ServiceApp:
    resources = open_resources(settings, verifier=verifier)
    ctx = create_context(settings, resources)
    relay = OutboxRelay(resources.sessions, outbox, resources.bus, service="documents")
    ctx.wake_relay = relay.wake
    servicer = DocumentsService(ctx)
    # Subscribed here, not when serving: in the embedded mode (memory bus, every block in one process) identity
    # publishes its agencies as soon as it serves, and a consumer of the memory bus gets only later events.
    await identity_events.subscribe(ctx, resources.bus)
    ttl = timedelta(seconds=settings.unsent_attachment_ttl)

    async def housekeeping() -> None:
        await purge_unsent_forever(ctx, ttl)

    return ServiceApp(
        name="documents",
        settings=settings,
        register=lambda server: documents_pb2_grpc.add_DocumentsServiceServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        verifier=resources.verifier,
        identity_events_bus=resources.bus,
        on_stop=[resources.close],
        background=[relay.run, housekeeping],
        database=resources.sessions.kw["bind"],
    )
