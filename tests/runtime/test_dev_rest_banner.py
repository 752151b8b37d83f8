"""`lienthong dev` wires the gateway's REST face (port, identity's HTTP URL) and its banner prints the REST URL."""

from __future__ import annotations

from types import SimpleNamespace

from lienthong_cli.dev import REST_PORT, dev_overrides, print_banner
from lienthong_gateway.bootstrap import load_settings


def test_the_embedded_gateway_gets_a_rest_port_and_the_banner_prints_it(tmp_path, capsys):
    overrides = dev_overrides("gateway", tmp_path, "127.0.0.1", 7)
    assert overrides["rest_port"] == REST_PORT + 7
    assert overrides["identity_http_url"] == "http://127.0.0.1:8068"  # identity's HTTP side port + offset
    settings = load_settings(**overrides)
    gateway = SimpleNamespace(
        app=SimpleNamespace(name="gateway", settings=settings), bound_port=50058, http_port=8058
    )
    print_banner([gateway], None, tmp_path)  # type: ignore[list-item]
    out = capsys.readouterr().out
    assert f"rest http://127.0.0.1:{REST_PORT + 7}/v1/" in out
    assert f"http://127.0.0.1:{REST_PORT + 7}/openapi.json" in out
    assert f"examples/rest/walkthrough.sh http://127.0.0.1:{REST_PORT + 7}" in out
