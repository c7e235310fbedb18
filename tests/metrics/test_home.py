"""The App Home tab through the real path: app_home_opened → the publish_home job → views.publish,
checked on the view the emulator stored (which the emulator only stores when Slack's limits pass)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models import ActionItem
from tests.conftest import Bot
from tests.metrics.conftest import NOW, Spec, insert, open_home, texts


def _sections(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]


async def test_home_shows_open_incidents_mine_my_actions_and_metrics(bot: Bot) -> None:
    p = bot.people
    inc1 = await bot.declare("sev1 Card gateway down", user=p.alice)
    inc2 = await bot.declare("sev2 Settlements delayed", user=p.bob)
    await bot.command(p.bob, f"role tl <@{p.alice}>", inc2.channel_id)
    await bot.command(p.alice, f"action <@{p.alice}> 2026-01-20 detect: Alert on authorisation rate drops",
                      inc1.channel_id)
    bot.clock.advance(timedelta(minutes=4))
    await bot.command(p.bob, "ack", inc2.channel_id)
    await bot.command(p.bob, "status mitigated", inc2.channel_id)
    bot.clock.advance(timedelta(minutes=12))  # SEV-1: ack breached at 10 min, update due at 15 min
    await bot.drain()

    view = await open_home(bot, p.alice)
    sections, all_text = _sections(view), texts(view)
    assert "Open incidents (2)" in all_text
    one = next(s for s in sections if "*INC-1*" in s and "Card gateway down" in s)
    two = next(s for s in sections if "*INC-2*" in s and "Settlements delayed" in s)
    assert sections.index(one) < sections.index(two)  # the most severe first
    assert "SEV-1 · investigating" in one and f"IC <@{p.alice}>" in one and "age 16m" in one
    assert "ack SLA breached" in one and "update overdue" in one
    assert "SEV-2 · mitigated" in two and f"IC <@{p.bob}>" in two and "next update due" in two
    assert "not acknowledged" not in two and "overdue" not in two

    assert "My incidents (2)" in all_text
    mine = next(s for s in sections if "you:" in s)
    assert "*INC-1*" in mine and "you: Incident Commander, declared it" in mine
    assert "*INC-2*" in mine and "you: Technical Lead" in mine

    assert "My open action items (1)" in all_text
    assert "Alert on authorisation rate drops" in all_text and "due 2026-01-20" in all_text

    panel30 = next(s for s in sections if s.startswith("*Last 30 days*"))
    assert "Incidents: *2* — SEV-1 1 · SEV-2 1 · SEV-3 0 · SEV-4 0" in panel30
    assert "Time to acknowledge: mean 4m · p90 4m (1 incident)" in panel30
    assert "Time to mitigate: mean 4m · p90 4m (1 incident)" in panel30
    assert "Time to resolve: — (none yet)" in panel30
    assert "SLA breaches: 1 acknowledgement · 1 missed update period · 0 escalated" in panel30
    assert "Update punctuality: 0% (0 of 1 update periods" in panel30
    assert any(s.startswith("*Last 90 days*") for s in sections)
    # no PUBLIC_URL: no image, the chart's figures as words instead
    assert not [b for b in view["blocks"] if b["type"] == "image"]
    assert "Per week (weeks starting): Jan 09: SEV-1 1, SEV-2 1" in all_text

    carol = texts(await open_home(bot, p.carol))
    assert "Open incidents (2)" in carol and "My incidents (0)" in carol
    assert "No open action items assigned to you." in carol


async def test_home_links_the_chart_when_the_public_url_is_set(bot_factory: Any) -> None:
    bot: Bot = await bot_factory(public_url="https://incident-bot.example.com")
    await bot.declare("sev2 High API latency", user=bot.people.alice)
    view = await open_home(bot, bot.people.alice)
    images = [b for b in view["blocks"] if b["type"] == "image"]
    assert [i["image_url"].split("?")[0] for i in images] == [
        "https://incident-bot.example.com/charts/metrics-30d.png",
        "https://incident-bot.example.com/charts/metrics-90d.png"]
    assert "last 30 days" in images[0]["alt_text"] and "last 90 days" in images[1]["alt_text"]
    assert "Per week" not in texts(view)


async def test_home_stays_within_slack_limits_with_200_open_incidents(bot: Bot) -> None:
    p = bot.people
    specs = [Spec(n, 1 + n % 4, days_ago=(n % 29) + 0.5, status="investigating", ack_seconds=None,
                  commander=p.alice, title=f"Payment failure number {n} " + "x" * 100) for n in range(1, 201)]
    drill = Spec(201, 1, days_ago=0.1, status="investigating", drill=True, breach_at=10, commander=p.alice,
                 title="Game day: card gateway down")
    await insert(bot.rt.sessionmaker, [*specs, drill], update_overdue_since=NOW - timedelta(hours=1))
    async with bot.rt.sessionmaker() as session, session.begin():
        session.add_all(ActionItem(incident_id=1 + n % 200, description=f"Follow-up {n}: " + "y" * 400,
                                   owner_id=p.alice, due_date=date(2026, 1, 10) + timedelta(days=n), created_by=p.bob,
                                   created_at=NOW) for n in range(60))

    view = await open_home(bot, p.alice)
    blocks = view["blocks"]
    assert len(blocks) <= 100
    all_text = texts(view)
    assert "Open incidents (201)" in all_text
    listed = [s for s in _sections(view) if s.startswith(":")]
    assert len(listed) == 20
    assert "[DRILL] *INC-201*" in listed[0]  # SEV-1 with something overdue comes first
    assert all(" SEV-1 " in s for s in listed)
    assert "…and 181 more (31 SEV-1, 50 SEV-2, 50 SEV-3, 50 SEV-4, 181 with something overdue)" in all_text
    assert "My incidents (201)" in all_text and "My open action items (60)" in all_text
    assert "`/incident actions` lists them all" in all_text
    assert all(len(s) <= 3000 for s in _sections(view))
    # the drill is listed but never counted: 200 incidents in the last 30 days, none of them acknowledged
    panel30 = next(s for s in _sections(view) if s.startswith("*Last 30 days*"))
    assert "Incidents: *200* — SEV-1 50 · SEV-2 50 · SEV-3 50 · SEV-4 50" in panel30
    assert "SLA breaches: 0 acknowledgement" in panel30


async def test_home_falls_back_to_text_when_slack_cannot_fetch_the_chart(bot_factory: Any) -> None:
    bot: Bot = await bot_factory(public_url="https://unreachable.example.com")
    await bot.declare("sev3 Refunds delayed", user=bot.people.alice)
    bot.emu.fail("views.publish", "invalid_blocks")  # what Slack answers when downloading the image fails
    view = await open_home(bot, bot.people.alice)
    assert not [b for b in view["blocks"] if b["type"] == "image"]
    assert "Per week (weeks starting): Jan 09: SEV-3 1" in texts(view)
    assert [c.ok for c in bot.ws.calls_to("views.publish")] == [False, True]


async def test_my_incidents_are_the_open_ones_then_the_recently_resolved(bot: Bot) -> None:
    p = bot.people
    await insert(bot.rt.sessionmaker, [
        Spec(1, 2, days_ago=3, resolved_at=60, commander=p.bob, title="Resolved three days ago"),
        Spec(2, 3, days_ago=10, resolved_at=60, commander=p.bob, title="Resolved ten days ago"),
        Spec(3, 2, days_ago=2, status="closed", resolved_at=60, commander=p.bob, title="Closed"),
        Spec(4, 3, days_ago=1, status="identified", commander=p.bob, title="Still open"),
        Spec(5, 1, days_ago=1, status="investigating", commander=p.carol, title="Not bob's"),
    ])
    mine = next(s for s in _sections(await open_home(bot, p.bob)) if "you:" in s)
    assert mine.index("Still open") < mine.index("Resolved three days ago")
    assert "Resolved three days ago" in mine and "resolved <!date^" in mine
    assert "ten days" not in mine and "Closed" not in mine and "Not bob's" not in mine
