"""The review as a Confluence page: storage format with every user string escaped, in the policy's
space; a second export is a new version of the same page (also after someone edited it meanwhile);
the page link on the review card; a 429 waits as told."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bot.emulator.atlassian import FakeAtlassian
from tests.conftest import Bot

NASTY = 'Refunds <script>alert(1)</script> & "quotes" <ac:macro/>'


async def _resolved_with_review(bot: Bot) -> int:
    inc = await bot.declare(f"sev1 {NASTY}")
    await bot.command(bot.people.alice, f"action <@{bot.people.bob}> 2026-02-01 Fix <b>the</b> retries & limits",
                      inc.channel_id)
    await bot.resolve(inc.number)
    return inc.number


async def _export(bot: Bot, number: int) -> None:
    inc = await bot.incident(number)
    reply = await bot.command(bot.people.alice, "pir export", inc.channel_id)
    assert reply.status == 200
    await bot.drain()


async def test_export_publishes_the_review_as_an_escaped_storage_page(rbot: Bot, atlassian: FakeAtlassian) -> None:
    number = await _resolved_with_review(rbot)
    await _export(rbot, number)
    [page] = atlassian.pages.values()
    assert page["spaceId"] == "98306" and page["version"] == 1
    assert page["title"].startswith("INC-1 post-incident review: Refunds <script>")
    body = page["body"]
    ET.fromstring(f'<r xmlns:ac="a" xmlns:ri="b">{body}</r>')  # well-formed
    assert "<script>" not in body and "<ac:macro" not in body and "<b>" not in body
    assert "Refunds &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;" in body
    assert "Fix &lt;b&gt;the&lt;/b&gt; retries &amp; limits" in body
    assert f'<a href="{atlassian.url}/browse/PAY-1">PAY-1</a>' in body  # the item's Jira issue
    inc = await rbot.incident(number)
    card = next(m for m in rbot.messages(inc.channel_id) if "Post-incident review" in str(m.blocks))
    assert f"<{atlassian.url}/wiki/spaces/98306/pages/{page['id']}|Review in Confluence>" in str(card.blocks)
    assert "|PAY-1>" in str(card.blocks)


async def test_a_second_export_is_a_new_version_never_a_duplicate(rbot: Bot, atlassian: FakeAtlassian) -> None:
    number = await _resolved_with_review(rbot)
    await _export(rbot, number)
    [page] = atlassian.pages.values()
    page["version"] = 4  # people edited it in Confluence meanwhile: the bot's version 1 is stale
    await _export(rbot, number)
    assert len(atlassian.pages) == 1 and page["version"] == 5
    puts = [r for r in atlassian.requests if r.method == "PUT"]
    assert [r.status for r in puts] == [409, 200]
    assert [e.data["version"] for e in await rbot.timeline(number) if e.kind == "confluence_published"] == [1, 5]


async def test_a_429_from_confluence_waits_as_told(rbot: Bot, atlassian: FakeAtlassian) -> None:
    number = await _resolved_with_review(rbot)
    atlassian.fail(1, 429, retry_after="20", path="/wiki/")
    await _export(rbot, number)
    assert atlassian.pages == {}
    rbot.clock.advance(21)
    await rbot.drain()
    assert len(atlassian.pages) == 1
    assert not [e for e in await rbot.timeline(number) if e.kind == "job_failed"]


async def test_without_atlassian_credentials_the_failure_is_said(bot_factory, atlassian: FakeAtlassian) -> None:
    from tests.records.conftest import records_policy
    bot = await bot_factory(policy=records_policy())
    number = await _resolved_with_review(bot)
    await _export(bot, number)
    failed = [e.data["error"] for e in await bot.timeline(number) if e.kind == "job_failed"]
    assert any("CONFLUENCE_URL" in f for f in failed) and any("JIRA_URL" in f for f in failed)
    assert atlassian.pages == {}


async def test_the_page_goes_under_the_policy_parent(bot_factory, atlassian: FakeAtlassian) -> None:
    from bot.policy.confluence import ConfluencePolicy
    from tests.records.conftest import records_policy
    atlassian.pages["777"] = {"id": "777", "status": "current", "title": "Incident reviews", "spaceId": "98306",
                              "parentId": None, "body": "<p>Reviews</p>", "version": 1, "message": "", "at": "x"}
    policy = records_policy().model_copy(update={"confluence": ConfluencePolicy(enabled=True, space_id="98306",
                                                                                parent_id="777")})
    bot = await bot_factory(policy=policy, jira_url=atlassian.url, confluence_url=atlassian.url,
                            atlassian_email=atlassian.email, atlassian_api_token=atlassian.api_token)
    number = await _resolved_with_review(bot)
    await _export(bot, number)
    [page] = [p for p in atlassian.pages.values() if p["id"] != "777"]
    assert page["parentId"] == "777"
