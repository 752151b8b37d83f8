"""Whose x-forwarded-for is believed (issue #12, finding 2): only a trusted proxy's."""

from __future__ import annotations

from lienthong_runtime.forwarded import PROXY_SECRET, TrustedProxies, peer_host

FORGED = (("x-forwarded-for", "203.0.113.9"),)


def test_an_untrusted_caller_is_its_peer_whatever_it_claims() -> None:
    assert TrustedProxies().client_address("ipv4:198.51.100.4:5000", FORGED) == "198.51.100.4"
    assert TrustedProxies(["10.0.0.0/8"]).client_address("ipv4:198.51.100.4:5000", FORGED) == "198.51.100.4"
    wrong_secret = (*FORGED, (PROXY_SECRET, "guess"))
    assert TrustedProxies(secret="s3cret").client_address("ipv4:127.0.0.1:1", wrong_secret) == "127.0.0.1"


def test_a_trusted_proxy_names_the_rightmost_untrusted_hop() -> None:
    proxies = TrustedProxies(["10.0.0.0/8"])
    chain = (("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.7"),)
    # 1.2.3.4 was written by the caller itself; 203.0.113.9 is who connected to the trusted 10.0.0.7.
    assert proxies.client_address("ipv4:10.0.0.5:443", chain) == "203.0.113.9"
    assert proxies.client_address("ipv4:10.0.0.5:443", (("x-forwarded-for", "junk"),)) == "10.0.0.5"


def test_a_proxy_proves_itself_with_the_secret() -> None:
    proxies = TrustedProxies(secret="s3cret")
    assert proxies.client_address("ipv4:127.0.0.1:1", (*FORGED, (PROXY_SECRET, "s3cret"))) == "203.0.113.9"
    doubled = (*FORGED, (PROXY_SECRET, "s3cret"), (PROXY_SECRET, "s3cret"))
    assert proxies.client_address("ipv4:127.0.0.1:1", doubled) == "127.0.0.1"


def test_peer_strings() -> None:
    assert peer_host("ipv4:10.0.0.1:5123") == "10.0.0.1"
    assert peer_host("ipv6:[::1]:5123") == "::1"
    assert peer_host("unix:/tmp/s") == "unix:/tmp/s"
