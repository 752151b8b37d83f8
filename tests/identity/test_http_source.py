"""The caller's address over HTTP (X-Forwarded-For believed only from trusted proxies) and the per-address budget."""

from __future__ import annotations

from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from lienthong_identity.adapters.http_source import SourceBudget, client_address
from lienthong_runtime.errors import ResourceExhausted
from lienthong_runtime.forwarded import TrustedProxies

PROXIES = TrustedProxies(["10.0.0.0/24", "::1"], secret="s3cret")


def request(peer: str, *forwarded: str, secret: str = ""):
    headers = CIMultiDict(("X-Forwarded-For", value) for value in forwarded)
    if secret:
        headers["X-Lienthong-Proxy-Secret"] = secret
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (peer, 443) if name == "peername" else default
    )
    return make_mocked_request("POST", "/oauth2/token", headers=headers, transport=transport)


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),  # not a proxy: its header is ignored
        ("10.0.0.7", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.7", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),  # the client wrote the leftmost entry
        ("10.0.0.7", ["198.51.100.1, 10.0.0.9"], "198.51.100.1"),  # two proxies of ours in a row
        ("10.0.0.7", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # repeated headers read as one list
        ("10.0.0.7", ["not-an-address"], "10.0.0.7"),  # garbage: the last hop we can vouch for
        ("10.0.0.7", [], "10.0.0.7"),
        ("::1", ["2001:db8::1"], "2001:db8::1"),
    ],
)
def test_client_address(peer, forwarded, expected):
    assert client_address(request(peer, *forwarded), PROXIES) == expected


def test_a_proxy_proven_by_the_shared_secret_is_believed_and_a_wrong_secret_is_not():
    assert client_address(request("127.0.0.1", "198.51.100.1", secret="s3cret"), PROXIES) == "198.51.100.1"
    assert client_address(request("127.0.0.1", "198.51.100.1", secret="guess"), PROXIES) == "127.0.0.1"


def test_a_bad_proxy_setting_fails_at_start():
    with pytest.raises(ValueError):
        TrustedProxies(["10.0.0.0/33"])


def test_budget_per_address():
    budget = SourceBudget(rate=0.001, burst=2)
    budget.spend("a")
    budget.spend("a")
    with pytest.raises(ResourceExhausted) as refused:
        budget.spend("a")
    assert refused.value.retry_after and refused.value.retry_after > 0
    budget.spend("b")  # another address has its own bucket
    SourceBudget(rate=0, burst=0).spend("a")  # rate 0: switched off
