"""Fixtures of the portal's browser tests: the platform (`lienthong dev`), the demo agency, and Debian's Chromium
driven by Playwright, with the axe-core accessibility check and screenshots saved under test-artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dev_platform import Dev, start_dev

from .platform import Agency

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "portal"
#: The flags this machine's closed network needs (no background fetches, no component updates), headless.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    platform = start_dev(tmp_path_factory.mktemp("portal-dev"))
    try:
        yield platform
    finally:
        assert platform.stop() == 0


@pytest.fixture(scope="module")
def agency(dev: Dev) -> Iterator[Agency]:
    acting = Agency(dev)
    try:
        yield acting
    finally:
        acting.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    # Installed by tools/system-deps.sh (make test); a missing browser or axe-core is a failure, not a skip.
    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make system-deps`"
    assert AXE.exists(), "axe-core is missing: run `make system-deps`"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


def axe_violations(page: object) -> list[dict[str, object]]:
    """Serious and critical axe-core violations of the page as it is now (WCAG 2.x A/AA rules and best practice)."""
    page.evaluate(AXE.read_text())  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]
