"""The public status page, `GET /status` and `GET /status.json`: components from the policy, their state
from the open public incidents' published messages, and 90 days of history; nothing private or internal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models import ExternalMessage
from tests.comms.conftest import get_html, get_json, publish
from tests.conftest import Bot

COMPONENTS = ["Card payments", "Bank transfers", "Payouts", "Refunds", "API", "Dashboard"]


def states(page: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for c in page["components"]}


async def test_with_nothing_published_everything_is_operational(bot: Bot) -> None:
    await bot.declare("sev1 Payment gateway down")  # declared, but customers were not told yet
    page = await get_json(bot)
    assert page["status"] == {"indicator": "none", "description": "All systems operational"}
    assert [c["name"] for c in page["components"]] == COMPONENTS
    assert set(states(page).values()) == {"operational"}
    assert page["incidents"] == [] and page["history"] == {"days": 90, "incidents": []}
    assert page["page"]["updated_at"] == bot.clock.now().isoformat().replace("+00:00", "Z")
    html = await get_html(bot)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<script" not in html.lower()
    assert "All systems operational" in html and "No incidents in the last 90 days." in html
    for name in COMPONENTS:
        assert f"<span>{name}</span>" in html


async def test_a_published_message_sets_the_components_and_shows_the_incident(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev1 Acquirer X returns 503 after deploy v2.42")
    await bot.command(p.alice, "update Rolled back v2.42 in eu-west-1, Raj on it", channel=inc.channel_id)
    await publish(bot, p.alice, inc, title="Card payments <failing>",
                  message="Payments by card fail for some customers.\nWe are investigating & will update.")
    page = await get_json(bot)
    assert page["status"] == {"indicator": "critical", "description": "Major outage"}
    assert states(page) == {"card_payments": "major_outage", "bank_transfers": "operational",
                            "payouts": "operational", "refunds": "operational", "api": "major_outage",
                            "dashboard": "operational"}
    (shown,) = page["incidents"]
    assert shown["name"] == "Card payments <failing>" and shown["status"] == "investigating"
    assert shown["components"] == ["Card payments", "API"]
    body = "Payments by card fail for some customers.\nWe are investigating & will update."
    assert shown["updates"] == [{"status": "investigating", "published_at": "2026-01-15T09:00:00Z", "body": body}]
    html = await get_html(bot)
    assert "Card payments &lt;failing&gt;" in html and "<failing>" not in html
    assert "We are investigating &amp; will update." in html
    assert "Major outage" in html and "Current incidents" in html
    raw = html + str(page)
    for secret in ("Acquirer X", "v2.42", "Rolled back", "Raj", p.alice, "Alice", inc.channel_id,
                   inc.channel_name, "INC-1", "SEV-1"):
        assert secret not in raw, secret


async def test_the_worst_state_wins_and_resolving_restores_operational(bot: Bot) -> None:
    p = bot.people
    gateway = await bot.declare("sev1 Payment gateway down")
    latency = await bot.declare("sev2 High API latency")
    await publish(bot, p.alice, latency)  # api, dashboard: partial outage
    await publish(bot, p.alice, gateway, components=["api"])  # api: major outage
    assert states(await get_json(bot))["api"] == "major_outage"
    bot.clock.advance(timedelta(minutes=20))
    await publish(bot, p.alice, gateway, status="resolved", message="All good again.")
    page = await get_json(bot)
    assert states(page)["api"] == "partial_outage" and states(page)["dashboard"] == "partial_outage"
    assert [i["name"] for i in page["incidents"]] == ["Elevated API response times"]
    (past,) = page["history"]["incidents"]
    assert past["status"] == "resolved" and past["resolved_at"] == "2026-01-15T09:20:00Z"
    assert [u["status"] for u in past["updates"]] == ["resolved", "investigating"]


async def test_history_keeps_ninety_days(bot: Bot) -> None:
    inc = await bot.declare("sev3 Refunds delayed")
    await publish(bot, bot.people.alice, inc)
    await publish(bot, bot.people.alice, inc, status="resolved")
    bot.clock.advance(timedelta(days=89))
    assert [i["name"] for i in (await get_json(bot))["history"]["incidents"]] == ["Refunds delayed"]
    assert "Refunds delayed" in await get_html(bot)
    bot.clock.advance(timedelta(days=2))
    page = await get_json(bot)
    assert page["history"]["incidents"] == [] and page["incidents"] == []
    assert "No incidents in the last 90 days." in await get_html(bot)


async def test_private_incidents_never_appear(bot: Bot) -> None:
    p = bot.people
    await bot.driver.command(p.alice, p.general, "declare")
    await bot.driver.submit(p.alice, {"title": "Card data exposure suspected", "severity": "1",
                                      "private": ["private"]})
    await bot.drain()
    inc = await bot.incident(1)
    await bot.command(p.alice, "update Leaked key AKIA123 revoked", channel=inc.channel_id)
    await bot.drain()
    # even a message stored for it (by an older version, or by hand) stays off the page
    async with bot.rt.sessionmaker() as s, s.begin():
        s.add(ExternalMessage(incident_id=inc.id, kind="investigating", title="Secret exposure", text="Hidden",
                              components={"card_payments": "major_outage"}, author=p.alice,
                              published_at=bot.clock.now()))
    page = await get_json(bot)
    assert set(states(page).values()) == {"operational"} and page["incidents"] == []
    assert page["history"]["incidents"] == []
    html = await get_html(bot)
    for secret in ("Secret exposure", "Hidden", "Card data exposure", "AKIA123"):
        assert secret not in html and secret not in str(page)


async def test_the_page_is_served_without_slack_signing(bot: Bot) -> None:
    """The page is public: no signature needed, and it never answers with a Slack error."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(bot.url.replace("/slack/events", "/status")) as resp:
            assert resp.status == 200 and resp.content_type == "text/html"
            assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
        async with http.get(bot.url.replace("/slack/events", "/status.json")) as resp:
            assert resp.status == 200 and resp.content_type == "application/json"
