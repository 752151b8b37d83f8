"""One set of page-size limits and page-token reasons for every list RPC (``lienthong_runtime.paging``)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from lienthong_runtime import paging
from lienthong_runtime.errors import InvalidArgument


def test_page_size_defaults_and_limits() -> None:
    assert paging.page_size(0) == paging.DEFAULT_PAGE_SIZE
    assert paging.page_size(7) == 7
    assert paging.page_size(paging.MAX_PAGE_SIZE) == paging.MAX_PAGE_SIZE
    for bad in (-1, paging.MAX_PAGE_SIZE + 1):
        with pytest.raises(InvalidArgument) as caught:
            paging.page_size(bad)
        assert caught.value.reason == paging.PAGE_SIZE_INVALID


def test_keyset_round_trip_and_binding_to_its_method() -> None:
    when = datetime(2026, 12, 5, 8, 30, 1, 123456, tzinfo=UTC)
    token = paging.encode_keyset("payments", when, "p-1")
    assert paging.decode_keyset("payments", token) == (when, "p-1")
    assert paging.decode_keyset("payments", "") is None
    with pytest.raises(InvalidArgument) as caught:
        paging.decode_keyset("refunds", token)
    assert caught.value.reason == paging.PAGE_TOKEN_INVALID


@pytest.mark.parametrize(
    "token",
    [
        "garbage!!",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        base64.urlsafe_b64encode(b'["payments", "2026-12-05T00:00:00", "x"]').decode(),  # naive time
        base64.urlsafe_b64encode(b'["payments", "2026-12-05T00:00:00+00:00", ""]').decode(),
        base64.urlsafe_b64encode(b'["payments", 5, "x"]').decode(),
        base64.urlsafe_b64encode(b'["payments", "2026-12-05T00:00:00+00:00", ["x"]]').decode(),
        base64.urlsafe_b64encode("\xff\xfe".encode("latin-1")).decode(),
    ],
)
def test_tokens_not_issued_by_the_method_are_refused_alike(token: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        paging.decode_keyset("payments", token)
    assert caught.value.reason == paging.PAGE_TOKEN_INVALID


def test_generic_cursor_checks_its_length() -> None:
    token = paging.encode_cursor("log", [41, "abc"])
    assert paging.decode_cursor("log", token, 2) == [41, "abc"]
    with pytest.raises(InvalidArgument):
        paging.decode_cursor("log", token, 3)
