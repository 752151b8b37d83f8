"""The handler-rule tests' world: the in-memory unit of work, a settable clock and the deps around it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ..fakes import FakeClock, FakeDossiersUnitOfWork, fake_deps


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    uow = FakeDossiersUnitOfWork()
    clock = FakeClock(datetime(2027, 2, 2, 2, tzinfo=UTC))  # Tue 2 Feb 2027, 9:00 in Vietnam
    return uow, clock, fake_deps(clock)
