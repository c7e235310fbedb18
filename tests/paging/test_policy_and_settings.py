"""The [paging] policy section and the paging settings: routing, mappings, and refusals that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.policy import PolicyError, load_policy

ROUTES = """
[paging.routes.default]
pager = "pagerduty"
service = "Payments"
integration_key = "k1"
[paging.routes.payouts]
pager = "opsgenie"
service = "Payouts"
team = "payouts"
surfaces = ["payout"]
[paging.routes.critical]
pager = "pagerduty"
service = "Payments critical"
integration_key = "k2"
severities = ["SEV-1"]
"""


def write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "policy.toml"
    f.write_text(text)
    return f


def test_routes_surface_first_then_severity_then_default(tmp_path: Path) -> None:
    paging = load_policy(write(tmp_path, ROUTES)).paging
    assert paging.route_for("SEV-1", "Payouts to merchants")[0] == "payouts"  # type: ignore[index]
    assert paging.route_for("SEV-1", "card payments")[0] == "critical"  # type: ignore[index]
    assert paging.route_for("SEV-2", None)[0] == "default"  # type: ignore[index]
    assert paging.route_for("SEV-3", None) is None  # SEV-3 does not page by default
    assert paging.pd_severity("SEV-2") == "error" and paging.og_priority("SEV-1") == "P1"


@pytest.mark.parametrize(("text", "message"), [
    ('[paging]\nseverities = ["SEV-7"]\n', "paging.severities.0: no such severity 'SEV-7'"),
    ('[paging.pagerduty_severity]\nSEV-1 = "urgent"\n', "PagerDuty's severities are critical, error"),
    ('[paging.opsgenie_priority]\nSEV-1 = "P9"\n', "Opsgenie's priorities are P1"),
    ('[paging.routes.x]\npager = "pagerduty"\nservice = "X"\n', "needs integration_key"),
    ('[paging.routes.x]\npager = "opsgenie"\nservice = "X"\n', "needs team"),
    ('[paging.routes.x]\npager = "victorops"\nservice = "X"\n', "paging.routes.x.pager"),
])
def test_a_bad_paging_section_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace(".", r"\.").replace("(", r"\(")):
        load_policy(write(tmp_path, text))


def test_settings_read_the_pagers_and_refuse_what_cannot_work(tmp_path: Path) -> None:
    s = Settings.from_env({})
    assert s.pagerduty_events_url == "https://events.pagerduty.com" and s.opsgenie_api_url == "https://api.opsgenie.com"
    s = Settings.from_env({"OPSGENIE_API_URL": "https://api.eu.opsgenie.com/", "PAGERDUTY_API_TOKEN": "t"})
    assert s.opsgenie_api_url == "https://api.eu.opsgenie.com" and s.pagerduty_api_token == "t"
    with pytest.raises(ConfigError, match="PAGERDUTY_EVENTS_URL"):
        Settings.from_env({"PAGERDUTY_EVENTS_URL": "events.pagerduty.com"})
    policy = write(tmp_path, ROUTES)
    with pytest.raises(ConfigError, match=r"paging\.routes\.payouts\] pages through Opsgenie"):
        Settings.from_env({"INCIDENT_POLICY": str(policy)})
    assert Settings.from_env({"INCIDENT_POLICY": str(policy), "OPSGENIE_API_KEY": "k"}).policy.paging.routes
