"""The unit-of-work contract every service's SQL and in-memory implementations share (``lienthong_runtime.uow``)."""

from __future__ import annotations

import pytest
from google.protobuf import wrappers_pb2

from lienthong_runtime.testing import InMemoryUnitOfWork


class Store(InMemoryUnitOfWork):
    source = "test"
    state = ("rows", "log")

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, str] = {}
        self.log: list[str] = []


async def test_commit_keeps_changes_and_writes_staged_events_in_order() -> None:
    uow = Store()
    async with uow:
        uow.rows["a"] = "1"
        uow.publish(wrappers_pb2.StringValue(value="first"), subject="a")
        uow.publish(wrappers_pb2.StringValue(value="second"), subject="a")
    assert uow.rows == {"a": "1"}
    assert [e.subject for e in uow.outbox] == ["a", "a"]
    assert [e.source for e in uow.outbox] == ["test", "test"]
    assert len(uow.committed) == 2 and uow.commits == 1


async def test_an_exception_rolls_back_state_and_staged_events_in_place() -> None:
    uow = Store()
    async with uow:
        uow.rows["kept"] = "yes"
    rows, log = uow.rows, uow.log  # what a fake repository would hold
    with pytest.raises(RuntimeError):
        async with uow:
            uow.rows["lost"] = "no"
            uow.log.append("lost")
            uow.publish(wrappers_pb2.StringValue(value="lost"))
            raise RuntimeError("handler failed")
    assert rows == {"kept": "yes"} and uow.rows is rows
    assert log == [] and uow.log is log
    assert uow.outbox == [] and uow.committed == [] and uow.commits == 1


async def test_events_carry_the_request_id_as_correlation_id() -> None:
    from lienthong_runtime.request_context import correlated

    with correlated("req-42"):
        uow = Store()
        async with uow:
            uow.publish(wrappers_pb2.StringValue(value="x"))
            uow.publish(wrappers_pb2.StringValue(value="y"), correlation_id="given")
        assert [e.correlation_id for e in uow.outbox] == ["req-42", "given"]


class FailingCommit(Store):
    async def _commit(self) -> None:
        raise RuntimeError("commit lost")


async def test_a_failed_commit_leaves_no_events_in_the_outbox() -> None:
    uow = FailingCommit()
    with pytest.raises(RuntimeError):
        async with uow:
            uow.rows["x"] = "1"
            uow.publish(wrappers_pb2.StringValue(value="never"))
    assert uow.outbox == [] and uow.rows == {}
