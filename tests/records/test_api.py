"""The read API as a dashboard uses it: bearer tokens, filters, paging, roles, impact and durations,
the timeline, and private incidents only for tokens granted them."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import Bot
from tests.records.conftest import PRIVATE_TOKEN, get


async def _private(bot: Bot) -> None:
    p = bot.people
    await bot.command(p.alice, "declare")
    await bot.driver.submit(p.alice, {"title": "Fraud rule leak", "severity": "1", "source": "internal",
                                      "commander": p.alice, "private": ["private"]})
    await bot.drain()


async def test_tokens_are_required_and_checked(rbot: Bot) -> None:
    assert (await get(rbot, "/api/v1/incidents", token=None))[0] == 401
    status, body = await get(rbot, "/api/v1/incidents", token="wrong-token-0123456789")
    assert status == 401 and "API_TOKENS" in body["error"]


async def test_filters_and_paging(rbot: Bot) -> None:
    await rbot.declare("sev2 Refunds delayed")
    rbot.clock.advance(timedelta(hours=2))
    await rbot.declare("sev1 Card payments failing")
    await rbot.declare("sev2 Payouts late")
    await rbot.resolve(3)
    status, body = await get(rbot, "/api/v1/incidents")
    assert status == 200 and [i["key"] for i in body["incidents"]] == ["INC-3", "INC-2", "INC-1"]
    assert [i["key"] for i in (await get(rbot, "/api/v1/incidents?severity=SEV-2"))[1]["incidents"]] == [
        "INC-3", "INC-1"]
    assert [i["key"] for i in (await get(rbot, "/api/v1/incidents?status=resolved"))[1]["incidents"]] == ["INC-3"]
    since = (rbot.clock.now() - timedelta(minutes=30)).isoformat()
    assert [i["key"] for i in (await get(rbot, f"/api/v1/incidents?since={since.replace('+', '%2B')}"))[1][
        "incidents"]] == ["INC-3", "INC-2"]
    first = (await get(rbot, "/api/v1/incidents?limit=2"))[1]
    assert [i["key"] for i in first["incidents"]] == ["INC-3", "INC-2"] and first["next_cursor"] == "2"
    second = (await get(rbot, f"/api/v1/incidents?limit=2&cursor={first['next_cursor']}"))[1]
    assert [i["key"] for i in second["incidents"]] == ["INC-1"] and second["next_cursor"] is None
    for bad, word in (("severity=SEV-7", "severity"), ("status=sleeping", "status"), ("since=yesterday", "since"),
                      ("limit=0", "limit"), ("cursor=abc", "cursor"), ("cursor=9999999999", "cursor"),
                      ("sevrity=SEV-1", "unknown parameter 'sevrity'"), ("status=", "status")):
        status, body = await get(rbot, f"/api/v1/incidents?{bad}")
        assert status == 400 and word in body["error"], bad


async def test_one_incident_with_roles_impact_durations_and_timeline(rbot: Bot) -> None:
    inc = await rbot.declare("sev1 Card payments failing")
    await rbot.command(rbot.people.alice, f"role tl <@{rbot.people.bob}>", inc.channel_id)
    rbot.clock.advance(timedelta(minutes=12))
    await rbot.command(rbot.people.alice, "status mitigated", inc.channel_id)
    await rbot.drain()
    status, body = await get(rbot, "/api/v1/incidents/INC-1")
    assert status == 200
    assert body["roles"]["ic"] == rbot.people.alice and body["roles"]["tl"] == rbot.people.bob
    assert body["durations"]["time_to_mitigate"] == 12 * 60 and body["durations"]["time_to_resolve"] is None
    assert body["impact"]["severity_impact"].startswith("Major outage")
    assert body["payment_impact"] == {}
    await rbot.command(rbot.people.alice, "impact amount=12000 EUR failed=340 regions=DE,FR", inc.channel_id)
    await rbot.drain()
    impact = (await get(rbot, "/api/v1/incidents/INC-1"))[1]["payment_impact"]
    assert impact["regions"] == ["DE", "FR"] and impact["currency"] == "EUR" and "340" in str(impact["failed"])
    status, tl = await get(rbot, "/api/v1/incidents/inc-1/timeline?limit=2")
    assert status == 200 and [e["kind"] for e in tl["events"]][0] == "declared" and tl["next_cursor"]
    rest = (await get(rbot, f"/api/v1/incidents/INC-1/timeline?cursor={tl['next_cursor']}"))[1]
    assert "status_changed" in [e["kind"] for e in rest["events"]]
    assert (await get(rbot, "/api/v1/incidents/INC-99"))[0] == 404
    assert (await get(rbot, "/api/v1/incidents/banana"))[0] == 404


async def test_private_incidents_only_for_tokens_allowed(rbot: Bot) -> None:
    await rbot.declare("sev3 Dashboard typo")
    await _private(rbot)
    assert [i["key"] for i in (await get(rbot, "/api/v1/incidents"))[1]["incidents"]] == ["INC-1"]
    assert (await get(rbot, "/api/v1/incidents/INC-2"))[0] == 404
    assert (await get(rbot, "/api/v1/incidents/INC-2/timeline"))[0] == 404
    listed = (await get(rbot, "/api/v1/incidents", token=PRIVATE_TOKEN))[1]["incidents"]
    assert [(i["key"], i["private"]) for i in listed] == [("INC-2", True), ("INC-1", False)]
    assert (await get(rbot, "/api/v1/incidents/INC-2", token=PRIVATE_TOKEN))[0] == 200
