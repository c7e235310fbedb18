"""The manifest's scopes are enough, checked against an emulator that enforces them (missing_scope, as
Slack answers), and the history scopes really are optional."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.core.scopes import SCOPES
from bot.emulator.state import Message
from bot.timeline.effects import NO_HISTORY
from tests.conftest import Bot

ROOT = Path(__file__).resolve().parents[2]
GRANTED = frozenset(yaml.safe_load((ROOT / "manifest.yml").read_text())["oauth_config"]["scopes"]["bot"])


def _missing(bot: Bot) -> list[str]:
    return [c.method for c in bot.ws.calls if c.error == "missing_scope"]


async def test_the_manifest_scopes_run_an_incident_dms_included(bot: Bot) -> None:
    bot.emu.scopes = GRANTED
    p = bot.people
    inc = await bot.declare("sev1 Card payments failing in EU", user=p.alice)
    await bot.command(p.alice, f"role tl <@{p.bob}>", inc.channel_id)
    await bot.command(p.alice, f"role tl <@{p.carol}>", inc.channel_id)  # bob hears it in a DM
    await bot.drain()
    assert any("the Technical Lead of *INC-1*" in m.text for m in bot.messages(p.bob))
    assert "im:write" not in GRANTED and _missing(bot) == []
    assert bot.card(await bot.incident(1)).ts


async def test_without_the_history_scopes_a_pushpin_still_lands_on_the_timeline(bot: Bot) -> None:
    bot.emu.scopes = GRANTED - {s for s, scope in SCOPES.items() if scope.optional}
    p = bot.people
    inc = await bot.declare()
    msg = Message(inc.channel_id, bot.ws.new_ts(), p.carol, "Failover done")
    bot.ws.messages.setdefault(inc.channel_id, []).append(msg)
    await bot.driver.event({"type": "reaction_added", "user": p.dave, "reaction": "pushpin", "item_user": p.carol,
                            "item": {"type": "message", "channel": msg.channel, "ts": msg.ts}})
    await bot.drain()
    [row] = [e for e in await bot.timeline(1) if e.kind == "pinned"]
    assert row.data["text"] == NO_HISTORY and row.data["author"] is None
    assert "conversations.history" in _missing(bot)
    assert not [e for e in await bot.timeline(1) if e.kind == "job_failed"]


async def test_the_emulator_refuses_a_scope_the_token_lacks(bot: Bot) -> None:
    bot.emu.scopes = GRANTED - {"pins:write"}
    await bot.declare()
    pins = [c for c in bot.ws.calls if c.method == "pins.add"]
    assert pins and all(c.error == "missing_scope" for c in pins)
    resp = await bot.rt.client.auth_test()
    assert set(resp.headers["X-OAuth-Scopes"].split(",")) == GRANTED - {"pins:write"}
