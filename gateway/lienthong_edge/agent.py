"""``lienthong edge agent``: the sidecar that keeps the running engine in step with identity.

It consumes the same events every verifier does, through the runtime's
:class:`~lienthong_runtime.identity_events.IdentityEvents` (so the meaning of each event is written once):
``TokenRevoked``, ``AgencySuspended``/``AgencyResumed``, ``ClientDisabled`` and ``SessionsRevoked`` become map
entries, set in the running engine through its runtime API (no reload) and written to the state folder (so a
reload or restart keeps them); ``SigningKeyRotated`` re-reads the JWKS, fills the key slots and asks the master
for a hitless reload.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from lienthong.common.v1.events_pb2 import EventEnvelope
from lienthong_runtime.auth import RevocationState
from lienthong_runtime.identity_events import IdentityEvents

from .keys import engine_keys
from .runtime_api import RuntimeApi
from .state import StateFolder

log = logging.getLogger("lienthong.edge.agent")


class EngineRevocations(RevocationState):
    """The runtime's revocation state, mirrored into the engine's maps (changes queued, sent by ``flush``)."""

    def __init__(self, state: StateFolder, api: RuntimeApi | None) -> None:
        super().__init__()
        self.state, self.api = state, api
        self._changes: list[tuple[str, str, str | None]] = []  # (map, key, value or None to delete)
        self.maps: dict[str, dict[str, str]] = {name: state.read(name) for name in _MAPS}

    def _set(self, name: str, key: str, value: str | None) -> None:
        if value is None:
            self.maps[name].pop(key, None)
        else:
            self.maps[name][key] = value
        self._changes.append((name, key, value))

    def revoke(self, token_id: str, expires_at: float) -> None:
        super().revoke(token_id, expires_at)
        self._set("revoked", token_id, str(int(expires_at)))

    def suspend_agency(self, agency_id: str, at: float = 0.0) -> None:
        super().suspend_agency(agency_id, at)
        self._set("suspended", agency_id, "1")

    def resume_agency(self, agency_id: str, not_before: float = 0.0) -> None:
        super().resume_agency(agency_id, not_before)
        self._set("suspended", agency_id, None)
        if agency_id in self.agency_not_before:  # tokens issued before (iat is whole seconds): refused
            self._set("agency_not_before", agency_id, str(math.ceil(self.agency_not_before[agency_id])))

    def disable_client(self, client_id: str) -> None:
        super().disable_client(client_id)
        self._set("disabled", client_id, "1")

    def revoke_sessions(self, subject: str, before: float) -> None:
        super().revoke_sessions(subject, before)
        self._set("sessions_not_before", subject, str(math.ceil(self.sessions_not_before[subject])))

    async def flush(self) -> None:
        """Write the changed maps, then tell the running engine (files first: a reload in between loses
        nothing)."""
        changes, self._changes = self._changes, []
        if not changes:
            return
        now = time.time()
        revoked = self.maps["revoked"]
        for token_id in [k for k, v in revoked.items() if v.isdigit() and int(v) < now]:
            del revoked[token_id]  # an expired token is refused anyway
        for name in {name for name, _, _ in changes}:
            self.state.write_map(name, self.maps[name])
        if self.api is None:
            return
        for name, key, value in changes:
            path = str(self.state.map_path(name))
            if value is None:
                await self.api.delete(path, key)
            else:
                await self.api.put(path, key, value)


_MAPS = ("revoked", "suspended", "disabled", "agency_not_before", "sessions_not_before")


class EngineKeys:
    """Identity's keys for the engine: on refresh, fill the key slots and reload the engine when they change."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[Mapping[str, Any]]],
        state: StateFolder,
        api: RuntimeApi | None,
    ) -> None:
        self._fetch, self.state, self.api = fetch, state, api
        self._reload_pending = False

    async def refresh(self, *, force: bool = False) -> bool:
        """Install the published keys; True when the engine was asked to reload."""
        keys = engine_keys(await self._fetch())
        if not keys:
            log.warning("identity publishes no ES256 key; the engine refuses every token until it does")
        self._reload_pending |= self.state.install_keys(keys)
        if not self._reload_pending or self.api is None or not self.api.master_socket:
            return False
        await self.api.reload()  # raises if the master cannot be reached: the event is redelivered
        self._reload_pending = False
        log.info("engine reloaded with new signing keys", extra={"kids": [k.kid for k in keys]})
        return True


class Agent(IdentityEvents):
    """Applies identity's events to the running engine."""

    revocations: EngineRevocations

    def __init__(self, revocations: EngineRevocations, keys: EngineKeys) -> None:
        super().__init__(revocations, keys)  # type: ignore[arg-type]  # duck-typed: refresh(force=...)

    async def handle(self, event: EventEnvelope) -> None:
        await super().handle(event)
        await self.revocations.flush()


async def run_agent(
    state: StateFolder,
    api: RuntimeApi,
    fetch: Callable[[], Awaitable[Mapping[str, Any]]],
    bus: Any,
    *,
    key_check_interval: float = 60.0,
) -> None:
    """Prepare the state, subscribe, install the keys (retrying until identity answers), then re-check the
    JWKS every ``key_check_interval`` seconds (a missed rotation event costs at most that)."""
    state.prepare()
    keys = EngineKeys(fetch, state, api)
    agent = Agent(EngineRevocations(state, api), keys)
    await agent.subscribe(bus, "edge-agent")
    delay = 0.5
    while True:
        try:
            await keys.refresh(force=True)
            delay = key_check_interval
        except Exception as exc:  # identity not up yet: keep applying events, try the keys again soon
            log.warning("cannot read identity's keys", extra={"error": type(exc).__name__})
            delay = min(delay * 2, 10.0)
        await asyncio.sleep(delay)
