"""Block Kit builders: compared as dicts, and passed through slack_sdk's models, which enforce
Slack's limits when serialised."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.home.blocks import home_view
from bot.home.data import HomeData
from bot.incidents.blocks import card, topic
from bot.incidents.modals import declare_modal, roles_modal, update_modal
from bot.metrics import figures as metrics
from bot.policy import default_policy
from models import Incident

POLICY = default_policy()
NOW = datetime(2026, 1, 15, 9, 0)


def incident(**kw: object) -> Incident:
    base = dict(id=3, number=3, title="Card payments failing in EU", severity=1, declared_by="U1",
                commander_id="U1", created_at=NOW, updated_at=NOW)
    base.update(kw)
    return Incident(**base)


def checked(blocks: list[dict]) -> list[dict]:
    return [Block.parse(b).to_dict() for b in blocks]  # type: ignore[union-attr]


def test_card_shape() -> None:
    blocks = card(incident(), POLICY)
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "INC-3: Card payments failing in EU",
                                                    "emoji": False}}
    controls = blocks[-1]
    assert controls["block_id"] == "incident_controls:3"
    assert [e["action_id"] for e in controls["elements"]] == [
        "incident_ack", "incident_severity", "incident_status", "incident_assign_roles", "incident_post_update",
        "incident_draft_message", "incident_impact", "incident_classify", "incident_regulatory", "incident_resolve"]
    assert controls["elements"][1]["initial_option"]["value"] == "1"
    checked(blocks)


def test_card_with_the_longest_title_is_within_limits() -> None:
    blocks = card(incident(title="x" * 150, surface="y" * 150, private=True), POLICY)
    assert len(blocks[0]["text"]["text"]) == 150
    checked(blocks)


def test_closed_incident_has_no_controls_and_resolved_no_resolve_button() -> None:
    assert card(incident(status="closed"), POLICY)[-1]["type"] == "context"
    assert "actions" not in [b["type"] for b in card(incident(status="closed"), POLICY)]
    resolved = card(incident(status="resolved", resolved_at=NOW), POLICY)
    assert "incident_resolve" not in str(resolved[-1])


def test_topic_is_escaped_and_short() -> None:
    text = topic(incident(title="<!channel> " + "z" * 300), POLICY)
    assert len(text) <= 250 and "<!channel>" not in text
    assert text.startswith("SEV-1 · Investigating · IC: <@U1> · &lt;!channel&gt;")


def test_modals_pass_slack_view_checks() -> None:
    for view in (declare_modal(POLICY, user_id="U1", title="t" * 150, severity=2,
                               metadata={"reply": {"response_url": "https://hooks.slack.com/x" * 10}}),
                 roles_modal(incident(tech_lead_id="U2")), update_modal(incident(status="identified"))):
        View(**view).to_dict()
        assert len(view["title"]["text"]) <= 24 and len(view["private_metadata"]) <= 3000


def test_home_view_with_many_incidents_stays_under_100_blocks() -> None:
    many = [incident(id=i, number=i) for i in range(1, 200)]
    panels = [metrics.for_policy([], POLICY, days=days, now=NOW) for days in (30, 90)]
    view = home_view(HomeData(viewer="U1", now=NOW, open_incidents=many, mine=many, actions=[], panels=panels),
                     POLICY, "https://incident-bot.example.com")
    assert len(view["blocks"]) <= 100
    View(**view).to_dict()
