"""The communications builders and the `[comms]` policy section, checked directly: Slack's limits
through slack_sdk's models, and the policy's defaults and refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.comms.blocks import draft_modal, resolved_ask, update_message
from bot.comms.service import Draft
from bot.policy import PolicyError, default_policy, load_policy
from bot.policy.comms import placeholders_in
from models import ExternalMessage, Incident

POLICY = default_policy()
NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def incident(**kw: object) -> Incident:
    base = dict(id=3, number=3, title="Card payments failing in EU", severity=1, declared_by="U1",
                commander_id="U1", created_at=NOW, updated_at=NOW, channel_id="C9")
    base.update(kw)
    return Incident(**base)


def test_the_draft_modal_passes_slack_view_checks_with_the_longest_texts() -> None:
    draft = Draft(incident_id=3, key="INC-3", template="gateway_down", status="investigating", title="t" * 150,
                  components=tuple(POLICY.comms.components), impact="major_outage", text="x" * 3000,
                  publisher="U2")
    view = draft_modal(draft, POLICY, viewer="U1", statuspage=True)
    View(**view).to_dict()
    assert len(view["title"]["text"]) <= 24
    assert "Only <@U2> can publish it" in str(view["blocks"][0])


def test_update_and_reminder_messages_pass_block_checks() -> None:
    payload = {"actor": "U1", "text": "<!channel> " + "a" * 3000, "impact": "b" * 3000, "actions": "c" * 3000,
               "next_steps": "d" * 3000, "status": "identified", "next_update": int(NOW.timestamp())}
    for where in ("channel", "thread", "route"):
        text, blocks = update_message(incident(), POLICY, payload, where=where)
        [Block.parse(b).to_dict() for b in blocks]  # type: ignore[union-attr]
        assert "<!channel>" not in str(blocks) and len(text) <= 3000
    msg = ExternalMessage(incident_id=3, kind="monitoring", title="T", components={"api": "partial_outage"},
                          text="x", author="U1", published_at=NOW)
    for last in (None, msg):
        _, blocks = resolved_ask(incident(status="resolved"), "U1", last, first=True)
        [Block.parse(b).to_dict() for b in blocks]  # type: ignore[union-attr]


def test_the_defaults_cover_the_payment_incident_types_and_components() -> None:
    comms = POLICY.comms
    assert {t.name for t in comms.templates.values()} >= {
        "Payment gateway down", "Delayed settlements", "One payment method failing", "Refunds delayed",
        "High API latency"}
    assert [c.name for c in comms.components.values()] == [
        "Card payments", "Bank transfers", "Payouts", "Refunds", "API", "Dashboard"]
    for key, tpl in comms.templates.items():
        for status in ("investigating", "identified", "monitoring", "resolved"):
            assert set(placeholders_in(tpl.text_for(status))) <= {"components", "started", "next_update", "title"}, key


@pytest.mark.parametrize(("toml", "message"), [
    ('[comms.templates.x]\nname = "X"\ntitle = "T"\ninvestigating = "{started"\nidentified = "i"\n'
     'monitoring = "m"\nresolved = "r"\n', "comms.templates.x.investigating"),
    ('[comms.templates.x]\nname = "X"\ntitle = "T {components!r}"\ninvestigating = "i"\nidentified = "i"\n'
     'monitoring = "m"\nresolved = "r"\n', "placeholder {components} takes no format"),
    ('[comms.routes.execs]\nchannel = "C1"\nseverities = ["SEV-9"]\n', "comms.routes.execs.severities: no severity"),
    ('[comms]\nimpact = { SEV-1 = "broken" }\n', "impact.SEV-1: 'broken' is not one of"),
    ('[comms]\nhistory_days = 0\n', "comms.history_days"),
    ('[comms]\nresolved_reminder = "soon"\n', "comms.resolved_reminder: 'soon' is not a duration"),
])
def test_a_bad_comms_section_stops_startup_naming_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(toml)
    with pytest.raises(PolicyError, match=message.replace("{", r"\{").replace("}", r"\}")
                       .replace("(", r"\(").replace("[", r"\[")):
        load_policy(path)


def test_the_readme_example_loads(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index("```toml\n[comms]") + len("```toml\n")
    path = tmp_path / "policy.toml"
    path.write_text(readme[start:readme.index("```", start)])
    policy = load_policy(path)
    assert list(policy.comms.routes) == ["executives", "support"]
    assert policy.comms.templates["refunds_delayed"].match == ("refund", "chargeback")


def test_statuspage_settings_from_the_environment() -> None:
    from bot.config import ConfigError, Settings

    off = Settings.from_env({})
    assert not off.statuspage_enabled and off.statuspage_api_url == "https://api.statuspage.io/v1/"
    on = Settings.from_env({"STATUSPAGE_PAGE_ID": "pg1", "STATUSPAGE_API_KEY": "k",
                            "STATUSPAGE_API_URL": "http://127.0.0.1:9/v1"})
    assert on.statuspage_enabled and on.statuspage_api_url == "http://127.0.0.1:9/v1/"
    with pytest.raises(ConfigError, match="STATUSPAGE_PAGE_ID is set but STATUSPAGE_API_KEY is not"):
        Settings.from_env({"STATUSPAGE_PAGE_ID": "pg1"})
    with pytest.raises(ConfigError, match="STATUSPAGE_API_URL='ftp://x' is not an http"):
        Settings.from_env({"STATUSPAGE_PAGE_ID": "pg1", "STATUSPAGE_API_KEY": "k", "STATUSPAGE_API_URL": "ftp://x"})
