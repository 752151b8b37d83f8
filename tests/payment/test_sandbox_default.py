"""The sandbox completes payments without money moving, so production gets it only when asked for by name."""

from lienthong_payment.bootstrap import build_providers, load_settings


def test_sandbox_is_off_unless_dev_mode_or_asked_for():
    assert "sandbox" not in build_providers(load_settings())
    assert "sandbox" in build_providers(load_settings(dev_mode=True))
    assert "sandbox" in build_providers(load_settings(sandbox_enabled=True))
    assert "sandbox" not in build_providers(load_settings(dev_mode=True, sandbox_enabled=False))
