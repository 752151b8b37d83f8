"""The composition root wires the real adapters behind the same ports the unit tests fake: the handlers' rules
hold on SQLite and PostgreSQL through ``bootstrap.compose``, without a server (adapter tests of the ports)."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from lienthong_registry.bootstrap import compose, load_settings
from lienthong_registry.domain.access_log import AccessAction
from lienthong_registry.domain.disclosure import DisclosurePolicy
from lienthong_registry.domain.sex import HouseholdRelation
from lienthong_registry.handlers import audit, citizens, policies, reads
from lienthong_runtime import migrations
from lienthong_runtime.errors import AlreadyExists, PermissionDenied

from .unit.conftest import INSURER, REASON, REGISTRAR, record


async def test_the_handlers_rules_hold_on_the_real_adapters(db_url, tmp_path):
    await migrations.upgrade_async("lienthong_registry", db_url, "registry")
    settings = load_settings(
        database_url=db_url, data_dir=str(tmp_path), dev_mode=True, bus_url=f"memory://r-{uuid.uuid4().hex}"
    )
    registry = compose(settings)
    uow, services = registry.uow, registry.services
    try:
        await policies.set_policy(
            uow(), services, DisclosurePolicy(INSURER.agency_id, "x.read", ("full_name",), "Luật Cư trú 2020")
        )
        first = record(household="HH-1", relation=HouseholdRelation.HEAD)
        created = await citizens.create_citizen(uow(), services, REGISTRAR, first, REASON, "key-1")
        assert await citizens.create_citizen(uow(), services, REGISTRAR, first, REASON, "key-1") == created
        with pytest.raises(AlreadyExists) as caught:
            await citizens.create_citizen(uow(), services, REGISTRAR, record(serial=2), REASON, "key-1")
        assert caught.value.reason == "IDEMPOTENCY_KEY_REUSED"
        moved = dataclasses.replace(
            created, current_address=dataclasses.replace(created.current_address, ward_code="00008")
        )
        await citizens.update_citizen(
            uow(), services, REGISTRAR, created.personal_id, 1, moved, ["current_address"], "Move 9/QĐ"
        )

        view = await reads.get_citizen(services, INSURER, created.personal_id, "x.read")
        assert view.version == 2 and set(view.values) == {"full_name"}
        members, _ = await reads.list_household(services, INSURER, "HH-1", "x.read", 0, "")
        assert [m.personal_id for m in members] == [created.personal_id]
        with pytest.raises(PermissionDenied):
            await reads.get_citizen(services, INSURER, created.personal_id, "y.read")

        entries, _ = await audit.my_access_log(services, created.personal_id, 0, 0, "")
        assert [e.action for e, _ in entries] == [
            AccessAction.HOUSEHOLD,
            AccessAction.READ,
            AccessAction.WRITE,
            AccessAction.WRITE,
        ]
        assert all(ok for _, ok in entries)
        check = await audit.verify_chain(uow())
        assert check.intact and check.checked == 4
    finally:
        await registry.close()
