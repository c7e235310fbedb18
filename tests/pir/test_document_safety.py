"""The review document escapes every string someone typed, and credits a contributor only with the fields
they changed (not with the impact window the form offered on its own)."""

from __future__ import annotations

import re

from tests.conftest import Bot


async def _document(bot: Bot, channel: str) -> str:
    await bot.command(bot.people.alice, "pir export", channel)
    await bot.drain()
    return [f for f in bot.ws.files.values() if channel in f.channels][-1].content.decode()


async def test_typed_text_is_inert_in_the_document(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 <script>alert(1)</script> refunds <!channel>", user=p.alice)
    await bot.command(p.alice, f"action <@{p.bob}> 3d <img src=x onerror=alert(1)> tell <!here> @everyone",
                      inc.channel_id)
    await bot.command(p.alice, "pir", inc.channel_id)
    await bot.driver.submit(p.alice, {"summary": "<b>bold</b> and <@U0EVIL> pinged"})
    doc = await _document(bot, inc.channel_id)
    for raw in ("<script>", "<img", "<!channel>", "<!here>", "<b>", "<@U0EVIL>"):
        assert re.search(r"(?<!\\)" + re.escape(raw), doc) is None, raw  # only ever as \<…
    assert "\\<script>alert(1)\\</script>" in doc and "@\u200beveryone" in doc


async def test_the_forms_own_impact_window_credits_nobody(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 Refund delays", user=p.alice)
    await bot.resolve(1)
    await bot.command(p.alice, "pir", inc.channel_id)
    await bot.driver.submit(p.alice, {"summary": "Refunds queued behind a stuck batch."})
    await bot.command(p.bob, "pir", inc.channel_id)
    await bot.driver.submit(p.bob, {"root_cause": "The batch lock was never released."})
    doc = await _document(bot, inc.channel_id)
    contributors = doc.split("## Contributors", 1)[1]
    assert "Alice Adams: summary\n" in contributors and "impact began" not in contributors
    assert "Bob Brown: root cause" in contributors
    assert "Impact window: 2026-01-15 09:00 UTC" in doc  # kept, though nobody is credited with it
