"""Action items as Jira issues: created with an ADF description and the owner's account (by email),
linked on the review card and in /incident actions; Mark done in Slack transitions the issue; closing
it in Jira marks the item done; the incident's own issue follows it; refusals and 429s as Jira sends them."""

from __future__ import annotations

from bot.emulator.atlassian import FakeAtlassian
from bot.emulator.atlassian.adf import problem
from tests.conftest import Bot
from tests.records.conftest import items


async def _incident_with_item(bot: Bot, owner: str | None = None) -> int:
    p = bot.people
    inc = await bot.declare()
    reply = await bot.command(p.alice, f"action <@{owner or p.bob}> 2026-02-01 detect: Alert on <auth> rate & drops",
                              inc.channel_id)
    assert reply.status == 200
    await bot.drain()
    return inc.number


async def test_an_action_item_becomes_a_jira_issue_assigned_by_email(rbot: Bot, atlassian: FakeAtlassian) -> None:
    await _incident_with_item(rbot)
    [issue] = atlassian.issues.values()
    fields = issue["fields"]
    assert issue["key"] == "PAY-1"
    assert fields["project"] == {"key": "PAY"} and fields["issuetype"] == {"name": "Task"}
    assert fields["summary"] == "[INC-1] Alert on <auth> rate & drops"
    assert fields["duedate"] == "2026-02-01"
    assert fields["labels"] == ["incident-follow-up", "inc-1", "incident-bot-item-1"]
    bob_account = next(u["accountId"] for u in atlassian.users if u["emailAddress"] == "bob@example.com")
    assert fields["assignee"] == {"accountId": bob_account}
    assert problem(fields["description"]) is None
    text = str(fields["description"])
    inc = await rbot.incident(1)
    assert f"https://slack.com/app_redirect?channel={inc.channel_id}" in text
    # linked in the bot: the timeline, and /incident actions shows the issue
    assert [e.data["key"] for e in await rbot.timeline(1) if e.kind == "jira_linked"] == ["PAY-1"]
    await rbot.command(rbot.people.alice, "actions", inc.channel_id)
    listed = rbot.ephemerals(rbot.people.alice)[-1]
    assert f"<{atlassian.url}/browse/PAY-1|PAY-1>" in listed


async def test_an_owner_jira_does_not_know_leaves_the_issue_unassigned(rbot: Bot, atlassian: FakeAtlassian) -> None:
    await _incident_with_item(rbot, owner=rbot.people.carol)  # carol has no email in Slack
    [issue] = atlassian.issues.values()
    assert "assignee" not in issue["fields"]


async def test_mark_done_in_slack_transitions_the_issue(rbot: Bot, atlassian: FakeAtlassian) -> None:
    await _incident_with_item(rbot)
    dm = rbot.messages(rbot.people.bob)[-1]
    reply = await rbot.driver.click(rbot.people.bob, dm, "action_item_done")
    assert reply.ok
    await rbot.drain()
    assert atlassian.issues["PAY-1"]["status"] == "Done"
    assert [r.body for r in atlassian.made("POST", "/rest/api/3/issue/PAY-1/transitions")] == [
        {"transition": {"id": "31"}}]


async def test_closing_the_issue_in_jira_marks_the_item_done(rbot: Bot, atlassian: FakeAtlassian) -> None:
    await _incident_with_item(rbot)
    assert await atlassian.close_issue("PAY-1") == 200
    await rbot.drain()
    [item] = await items(rbot)
    assert (item.status, item.done_by) == ("done", "bot")
    done = [e for e in await rbot.timeline(1) if e.kind == "action_done"]
    assert [(e.via, e.data.get("issue")) for e in done] == [("jira", "PAY-1")]
    # not sent back to Jira, and a second identical event changes nothing
    assert atlassian.made("POST", "/rest/api/3/issue/PAY-1/transitions") == []
    assert await atlassian.close_issue("PAY-1") == 200
    assert len([e for e in await rbot.timeline(1) if e.kind == "action_done"]) == 1


async def test_jira_webhooks_without_the_right_signature_change_nothing(rbot: Bot, atlassian: FakeAtlassian) -> None:
    await _incident_with_item(rbot)
    atlassian.issues["PAY-1"]["status"] = "Done"
    event = {"webhookEvent": "jira:issue_updated", "issue": {"key": "PAY-1", "fields": {
        "status": {"name": "Done", "statusCategory": {"key": "done"}}}}}
    assert await atlassian.send_webhook(event, sign_with="not-the-secret") == 401
    atlassian.webhook_secret = None
    assert await atlassian.send_webhook(event) == 401
    [item] = await items(rbot)
    assert item.status == "open"


async def test_a_jira_refusal_is_on_the_timeline_and_told_to_the_ic(rbot: Bot, atlassian: FakeAtlassian) -> None:
    atlassian.projects.clear()  # the project is gone: Jira answers 400 with its error body
    await _incident_with_item(rbot)
    failed = [e for e in await rbot.timeline(1) if e.kind == "job_failed"]
    assert len(failed) == 1 and "project: Specify a valid project ID or key" in failed[0].data["error"]
    inc = await rbot.incident(1)
    channel_text = " ".join(m.text for m in rbot.messages(inc.channel_id))
    assert "Could not create the action item's Jira issue" in channel_text or \
        "create the action item's Jira issue" in channel_text


async def test_a_429_waits_as_told_and_then_creates_once(rbot: Bot, atlassian: FakeAtlassian) -> None:
    atlassian.fail(1, 429, retry_after="30", path="/rest/api/3/issue")
    await _incident_with_item(rbot)
    assert atlassian.issues == {}
    rbot.clock.advance(31)
    await rbot.drain()
    assert list(atlassian.issues) == ["PAY-1"]
    assert not [e for e in await rbot.timeline(1) if e.kind == "job_failed"]


async def test_the_incident_itself_can_be_a_jira_issue_that_follows_it(bot_factory, atlassian: FakeAtlassian,
                                                                       receivers) -> None:
    from tests.records.conftest import records_policy
    bot = await bot_factory(policy=records_policy(incident_issues=True), jira_url=atlassian.url,
                            atlassian_email=atlassian.email, atlassian_api_token=atlassian.api_token)
    inc = await bot.declare("sev2 Refunds delayed")
    [issue] = atlassian.issues.values()
    assert issue["fields"]["summary"] == "INC-1 [SEV-2] Refunds delayed (investigating)"
    assert problem(issue["fields"]["description"]) is None
    assert "Incident Commander: Alice Adams" in str(issue["fields"]["description"])
    await bot.command(bot.people.alice, "severity 1", inc.channel_id)
    await bot.drain()
    assert issue["fields"]["summary"] == "INC-1 [SEV-1] Refunds delayed (investigating)"
    assert "sev-1" in issue["fields"]["labels"] and len(atlassian.issues) == 1


async def test_an_item_added_to_a_review_links_the_review(rbot: Bot, atlassian: FakeAtlassian) -> None:
    inc = await rbot.declare()
    await rbot.resolve(inc.number)
    await rbot.command(rbot.people.alice, f"action <@{rbot.people.bob}> 2026-02-01 Add an alert", inc.channel_id)
    await rbot.drain()
    [issue] = atlassian.issues.values()
    links = [m["attrs"]["href"] for p in issue["fields"]["description"]["content"] for n in p["content"]
             for m in n.get("marks", []) if m["type"] == "link" and n["text"] == "Post-incident review"]
    review = next(m for m in rbot.messages(inc.channel_id) if "Post-incident review" in str(m.blocks))
    assert len(links) == 1 and review.ts.replace(".", "") in links[0]


async def test_a_lost_answer_never_makes_a_second_issue(rbot: Bot, atlassian: FakeAtlassian) -> None:
    atlassian.lose_answers(1, 502, path="/rest/api/3/issue")  # Jira creates the issue, the answer is lost
    await _incident_with_item(rbot)
    assert list(atlassian.issues) == ["PAY-1"]
    rbot.clock.advance(5)
    await rbot.drain()  # the retry finds the issue by its label instead of creating another
    assert list(atlassian.issues) == ["PAY-1"]
    assert [e.data["key"] for e in await rbot.timeline(1) if e.kind == "jira_linked"] == ["PAY-1"]


async def test_private_incidents_stay_out_of_jira_and_confluence(rbot: Bot, atlassian: FakeAtlassian) -> None:
    p = rbot.people
    await rbot.command(p.alice, "declare")
    await rbot.driver.submit(p.alice, {"title": "Fraud rule leak", "severity": "2", "source": "internal",
                                       "commander": p.alice, "private": ["private"]})
    await rbot.drain()
    inc = await rbot.incident(1)
    assert inc.private
    await rbot.command(p.alice, f"action <@{p.bob}> 2026-02-01 Rotate the rule keys", inc.channel_id)
    await rbot.resolve(1)
    await rbot.command(p.alice, "pir export", inc.channel_id)
    await rbot.drain()
    assert len(await items(rbot)) == 1
    assert atlassian.issues == {} and atlassian.pages == {} and atlassian.requests == []


async def test_odd_jira_webhooks_get_clear_answers(rbot: Bot, atlassian: FakeAtlassian) -> None:
    import hashlib
    import hmac

    import aiohttp

    from tests.records.conftest import JIRA_SECRET, url

    async def post(raw: bytes, content_type: str = "application/json") -> tuple[int, dict]:
        sig = "sha256=" + hmac.new(JIRA_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        async with aiohttp.ClientSession() as http, http.post(url(rbot, "/webhooks/jira"), data=raw, headers={
                "Content-Type": content_type, "X-Hub-Signature": sig}) as resp:
            return resp.status, await resp.json()

    assert (await post(b"{not json"))[0] == 400
    status, body = await post(b'{"webhookEvent": "jira:issue_updated"}')
    assert status == 400 and "no issue" in body["error"]
    assert (await post(b"<xml/>", "text/xml"))[0] == 415
    status, body = await post(b'{"issue": {"key": "OTHER-9", "fields": {}}}')
    assert status == 200 and body == {"ok": True, "issue": "OTHER-9", "action_item_done": False}
