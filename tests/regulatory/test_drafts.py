"""Report drafts from the record: uploaded to the channel (Markdown and the template's JSON), printed by
`incident-bot regulatory draft`, and the auditor's export; a drill's draft says it is one."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

from bot.emulator import SlackEmulator
from tests.conftest import Bot
from tests.regulatory.test_clocks import classify_dora


async def major_incident(bot: Bot) -> str:
    p = bot.people
    inc = await bot.declare("sev1 Card payments failing in EU")
    await bot.command(p.alice, "impact amount=2500000 EUR failed=34000 customers=150000 regions=DE,FR "
                               "data=availability", inc.channel_id)
    bot.clock.advance(timedelta(minutes=20))
    await bot.drain()
    await classify_dora(bot, inc, p.alice)
    return inc.channel_id


async def test_the_draft_button_uploads_markdown_and_json(rbot: Bot) -> None:
    bot, p = rbot, rbot.people
    ch = await major_incident(bot)
    await bot.command(p.alice, "regulatory", ch)
    listing = bot.ws.ephemerals_for(p.alice)[-1]
    await bot.driver.click(p.alice, listing, "regulatory_draft")
    await bot.drain()
    files = {f.filename: f for f in bot.ws.files.values() if ch in f.channels}
    assert set(files) == {"inc-1-dora-initial.md", "inc-1-dora-initial.json"}
    data = json.loads(files["inc-1-dora-initial.json"].content)
    assert list(data["field_groups"]) == ["general_information", "initial_notification"]
    initial = data["field_groups"]["initial_notification"]
    assert initial["incident_reference_code"] == "INC-1" and initial["member_states_affected"] == ["DE", "FR"]
    assert "critical_services" in initial["classification_criteria_met"]
    assert "general_information.submitting_entity_lei" in data["to_complete"]
    body = files["inc-1-dora-initial.md"].content.decode()
    assert "## To complete" in body and "**to complete**: its LEI code" in body
    shared = [m for m in bot.messages(ch) if files["inc-1-dora-initial.md"].id in m.files]
    assert len(shared) == 1 and "never sends anything to a regulator" in shared[0].text
    assert [e.kind for e in await bot.timeline(1)].count("regulatory_drafted") == 1


async def test_the_command_line_drafts_and_exports(rbot: Bot, emulator: SlackEmulator, db_url: str,
                                                   tmp_path: Path) -> None:
    bot, p = rbot, rbot.people
    ch = await major_incident(bot)
    await bot.command(p.alice, "regulatory submitted dora initial NCA-77", ch)
    await bot.drain()
    policy = tmp_path / "policy.toml"
    policy.write_text('[[regulatory.regimes]]\nkey = "dora"\nenabled = true\n')
    env = {**os.environ, "DATABASE_URL": db_url, "INCIDENT_POLICY": str(policy)}

    async def cli(*args: str) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "regulatory", *args, env=env,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        return proc.returncode or 0, out.decode(), err.decode()

    code, out, err = await cli("draft", "INC-1", "--report", "intermediate", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["report"] == "intermediate" and "intermediate_report" in data["field_groups"]
    assert data["field_groups"]["intermediate_report"]["authority_reference_code"] == "NCA-77"
    code, out, err = await cli("draft", "inc-1")
    assert code == 0 and out.startswith("# INC-1: DORA major ICT-related incident, intermediate report (draft)")
    code, out, err = await cli("export", "1")
    assert code == 0, err
    for heading in ("## Classification history", "## Impact history", "## Reports", "## Timeline"):
        assert heading in out
    assert "NCA-77" in out and "| major |" in out and "EUR" in out
    code, out, err = await cli("draft", "INC-9")
    assert code == 1 and "There is no INC-9" in err


async def test_a_drill_rehearses_the_regime_and_its_draft_says_so(rbot: Bot) -> None:
    bot, p = rbot, rbot.people
    await bot.command(p.alice, "drill card_data")
    await bot.drain()
    drill = (await bot.incidents())[-1]
    assert drill.drill and drill.incident_type == "card_data_compromise"
    facts = [e for e in await bot.timeline(drill.number) if e.kind == "impact_changed"]
    assert facts and facts[0].data["changes"]["data"] == [None, ["confidentiality"]]  # what the type implies
    playbook = [m for m in bot.messages(drill.channel_id) if "Playbook for" in m.text]
    assert playbook and "do not power them off" in str(playbook[0].blocks)
    await bot.driver.select(p.alice, bot.card(drill), "incident_classify", "card_schemes")
    modal = bot.ws.open_modal(p.alice)
    assert [o["value"] for o in modal.view["blocks"][1]["element"]["initial_options"]] == ["card_data"]
    await bot.driver.submit(p.alice)
    await bot.drain()
    await bot.command(p.alice, "regulatory draft card_schemes acquirer", drill.channel_id)
    await bot.drain()
    [md] = [f for f in bot.ws.files.values() if f.filename.endswith("acquirer.md")]
    assert "DRILL: a rehearsal" in md.content.decode()
    reminders = [m for m in bot.messages(drill.channel_id) if "Card schemes" in m.text]
    assert all(m.text.startswith("[DRILL]") for m in reminders)
