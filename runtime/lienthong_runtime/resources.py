"""What every service opens at start and closes at stop: database engine, sessions, bus and token verifier."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .auth import RevocationState, TokenVerifier
from .config import ServiceSettings
from .db import create_engine, session_factory
from .events import connect_bus
from .jwks import verifier_from_settings


@dataclass
class Resources:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bus: Any
    verifier: TokenVerifier | None
    revocations: RevocationState = field(default_factory=RevocationState)

    async def close(self) -> None:
        await self.bus.close()
        await self.engine.dispose()


def open_resources(
    settings: ServiceSettings, *, verifier: TokenVerifier | None = None, verify_tokens: bool = True
) -> Resources:
    """Engine, sessions and bus from settings; identity's JWKS verifier unless one is given."""
    engine = create_engine(settings.database_url)
    revocations = verifier.revocations if verifier else RevocationState()
    if verifier is None and verify_tokens:
        verifier = verifier_from_settings(settings, revocations)
    return Resources(
        engine=engine,
        sessions=session_factory(engine),
        bus=connect_bus(settings.bus_url),
        verifier=verifier,
        revocations=revocations,
    )
