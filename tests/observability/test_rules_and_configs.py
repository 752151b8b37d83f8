"""The alerting rules and scrape configurations pass promtool, and every alert has a runbook that exists."""

from __future__ import annotations

import re
import subprocess

import pytest

from .support import CONFIGS, ROOT, RULES, promtool, rules


def _anchors() -> set[str]:
    """GitHub-style anchors of the headings of deploy/README.md."""
    headings = re.findall(r"^#+\s+(.+)$", (ROOT / "deploy" / "README.md").read_text(), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_promtool_accepts_the_rules():
    result = subprocess.run([promtool(), "check", "rules", str(RULES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("config", CONFIGS, ids=[c.name for c in CONFIGS])
def test_promtool_accepts_the_scrape_configs(config):
    assert len(CONFIGS) == 2  # compose and Kubernetes
    result = subprocess.run([promtool(), "check", "config", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_issue_s_alerts_exist_and_each_links_to_its_runbook():
    alerts = {r["alert"]: r for r in rules() if "alert" in r}
    wanted = {
        "LienThongHighErrorRatio",
        "LienThongLatencySLOFastBurn",
        "LienThongLatencySLOSlowBurn",
        "LienThongOutboxBacklogGrowing",
        "LienThongDeadLetters",
        "LienThongDatabaseUnavailable",
        "LienThongCertificateExpiry",
        "LienThongSigningKeyNearRotation",
    }
    assert wanted <= set(alerts)
    anchors = _anchors()
    for name, rule in alerts.items():
        assert rule["labels"]["severity"] in ("page", "ticket"), name
        link = rule["annotations"]["runbook_url"]
        path, _, anchor = link.partition("#")
        assert path == "deploy/README.md" and anchor in anchors, (name, link)
