"""The job kinds that write to Jira and Confluence. Each reads what it needs as it is now, calls
Atlassian, and records what came back (the issue's key, the page's version) with the job's completion.

A refusal (a 4xx) fails the job for good with Atlassian's own words, which the worker writes on the
timeline and tells the IC; a 429 waits as Retry-After says; a 5xx is retried with backoff.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.core.clock import utc
from bot.jobs.context import GaveUp, JobContext
from bot.pir import document as pir_doc
from bot.pir.records import review_for, review_page, show_card, tracker_links
from bot.records import issues, storage
from bot.records.confluence import ConfluenceClient
from bot.records.jira import AtlassianRefused, JiraClient
from bot.timeline.facts import record
from models import ActionItem, ConfluencePage, Incident, JiraIssue

log = logging.getLogger(__name__)


def _jira(ctx: JobContext) -> JiraClient:
    s = ctx.settings
    if s is None or not s.jira_url or not s.atlassian_auth:
        raise GaveUp("Jira is on in the policy but JIRA_URL, ATLASSIAN_EMAIL or ATLASSIAN_API_TOKEN is not set")
    return JiraClient(s.jira_url, s.atlassian_auth)


def _confluence(ctx: JobContext) -> ConfluenceClient:
    s = ctx.settings
    if s is None or not s.confluence_url or not s.atlassian_auth:
        raise GaveUp("Confluence is on in the policy but CONFLUENCE_URL, ATLASSIAN_EMAIL or ATLASSIAN_API_TOKEN "
                     "is not set")
    return ConfluenceClient(s.confluence_url, s.atlassian_auth)


async def _slack_person(ctx: JobContext, user: str) -> tuple[str | None, str]:
    """(email, name) from users.info; the email needs the users:read.email scope."""
    try:
        info = (await ctx.client.users_info(user=user)).get("user") or {}
    except SlackApiError:
        return None, user
    profile = info.get("profile") or {}
    return profile.get("email"), str(profile.get("real_name") or info.get("real_name") or info.get("name") or user)


async def _item(ctx: JobContext) -> tuple[ActionItem, Incident, JiraIssue | None]:
    item_id = int(ctx.job.payload["item"])
    async with ctx.sessionmaker() as session:
        item = await session.get(ActionItem, item_id)
        inc = await session.get(Incident, item.incident_id) if item else None
        issue = (await session.execute(select(JiraIssue).where(JiraIssue.action_item_id == item_id))
                 ).scalar_one_or_none()
    if item is None or inc is None:
        raise GaveUp(f"action item {item_id} no longer exists")
    ctx.about = inc
    return item, inc, issue


async def _refused(call: Any) -> Any:
    try:
        return await call
    except AtlassianRefused as exc:
        raise GaveUp(str(exc)) from None


async def jira_create_issue(ctx: JobContext) -> None:
    """The action item as a Jira issue, assigned to the owner's Jira account (matched by email)."""
    item, inc, existing = await _item(ctx)
    if existing is not None:
        return
    jira = _jira(ctx)
    policy = ctx.policy.jira
    email, name = await _slack_person(ctx, item.owner_id)
    account = await _refused(jira.account_for(email)) if email else None
    review_url = await _review_link(ctx, inc)
    fields = issues.action_fields(item, inc, project=policy.project, issue_type=policy.issue_type,
                                  labels=policy.labels, account=account, owner_name=name, review_url=review_url)
    found = await _refused(jira.find_labelled(issues.item_label(item))) if ctx.job.attempts > 1 else None
    issue_id, key = found or await _refused(jira.create_issue(fields))
    now = utc(ctx.clock.now())
    async with ctx.finish() as session:
        session.add(JiraIssue(incident_id=inc.id, action_item_id=item.id, issue_id=issue_id, key=key,  # type: ignore[arg-type]
                              url=jira.browse_url(key), created_at=now, updated_at=now))
        record(session, inc, now, "bot", "jira_linked", "system", item=item.id, key=key, url=jira.browse_url(key),
               assigned=account is not None)
        if await review_for(session, inc.id) is not None:  # type: ignore[arg-type]
            show_card(session, inc.id, now)


async def _review_link(ctx: JobContext, inc: Incident) -> str | None:
    """The review's Confluence page once published, else the review card's permalink in Slack."""
    async with ctx.sessionmaker() as session:
        page = await review_page(session, inc.id)  # type: ignore[arg-type]
        review = await review_for(session, inc.id)  # type: ignore[arg-type]
    if page or review is None or not review.card_ts or not inc.channel_id:
        return page
    try:
        return str((await ctx.client.chat_getPermalink(channel=inc.channel_id, message_ts=review.card_ts))["permalink"])
    except (SlackApiError, KeyError):
        return None


def _done_transition(transitions: list[dict[str, Any]], wanted: str) -> str | None:
    for t in transitions:
        if str(t.get("id")) == wanted or str(t.get("name", "")).lower() == wanted.lower():
            return str(t["id"])
    for t in transitions:  # the workflow names it otherwise: any transition into the done category
        if (((t.get("to") or {}).get("statusCategory") or {}).get("key")) == "done":
            return str(t["id"])
    return None


async def jira_transition(ctx: JobContext) -> None:
    """"Mark done" in Slack: the item's issue moves to done in Jira."""
    item, inc, issue = await _item(ctx)
    if issue is None or issue.done:
        return  # never made (Jira was off then) or already done there
    jira = _jira(ctx)
    transitions = await _refused(jira.transitions(issue.key))
    chosen = _done_transition(transitions, ctx.policy.jira.done_transition)
    if chosen is None:
        names = ", ".join(str(t.get("name")) for t in transitions) or "none"
        raise GaveUp(f"{issue.key} has no transition to done from its status (it offers: {names})")
    await _refused(jira.transition(issue.key, chosen))
    async with ctx.finish() as session:
        row = await session.get(JiraIssue, issue.id)
        assert row is not None
        row.done, row.updated_at = True, utc(ctx.clock.now())


async def jira_incident_sync(ctx: JobContext) -> None:
    """The incident as a Jira issue ([jira] incident_issues): created once, then kept as the incident is."""
    inc = await ctx.incident()
    jira = _jira(ctx)
    async with ctx.sessionmaker() as session:
        row = (await session.execute(select(JiraIssue).where(JiraIssue.incident_id == inc.id,
                                                             JiraIssue.action_item_id.is_(None)))).scalar_one_or_none()
    holders = {u for u in (inc.role_holder(r) for r in ("ic", "tl", "comms", "oncall", "support")) if u}
    names = await pir_doc.slack_names(ctx.client, holders)
    fields = issues.incident_fields(inc, names)
    now = utc(ctx.clock.now())
    if row is not None:
        await _refused(jira.edit_issue(row.key, fields))
        async with ctx.finish() as session:
            fresh = await session.get(JiraIssue, row.id)
            assert fresh is not None
            fresh.updated_at = now
        return
    policy = ctx.policy.jira
    found = await _refused(jira.find_labelled(issues.incident_label(inc))) if ctx.job.attempts > 1 else None
    issue_id, key = found or await _refused(jira.create_issue(
        {**fields, "project": {"key": policy.project}, "issuetype": {"name": policy.incident_issue_type}}))
    async with ctx.finish() as session:
        session.add(JiraIssue(incident_id=inc.id, action_item_id=None, issue_id=issue_id, key=key,  # type: ignore[arg-type]
                              url=jira.browse_url(key), created_at=now, updated_at=now))
        record(session, inc, now, "bot", "jira_linked", "system", item=None, key=key, url=jira.browse_url(key))


async def confluence_publish(ctx: JobContext) -> None:
    """The review as a Confluence page: created on the first export, a new version on every later one."""
    inc = await ctx.incident()
    wiki = _confluence(ctx)
    policy = ctx.policy.confluence
    async with ctx.sessionmaker() as session:
        m = await pir_doc.load(session, inc.id)  # type: ignore[arg-type]
        links = await tracker_links(session, [i.id for i in m.items if i.id])
        row = (await session.execute(select(ConfluencePage).where(ConfluencePage.incident_id == inc.id))
               ).scalar_one_or_none()
    names = await pir_doc.slack_names(ctx.client, pir_doc.people(m))
    body = storage.render(m, ctx.policy, names, jira=links, channel_url=issues.channel_url(inc))
    title = storage.title(m)
    if row is None:
        page = await _refused(wiki.create_page(space_id=policy.space_id, parent_id=policy.parent_id, title=title,
                                               storage=body))
    else:
        page = await _refused(wiki.update_page(row.page_id, title=title, storage=body, known_version=row.version,
                                               message=f"Exported again from Slack by {ctx.job.payload.get('actor')}"))
    now = utc(ctx.clock.now())
    async with ctx.finish() as session:
        fresh = (await session.execute(select(ConfluencePage).where(ConfluencePage.incident_id == inc.id))
                 ).scalar_one_or_none()
        if fresh is None:
            session.add(ConfluencePage(incident_id=inc.id, page_id=page.id, version=page.version, url=page.url,  # type: ignore[arg-type]
                                       created_at=now, updated_at=now))
        else:
            fresh.version, fresh.url, fresh.updated_at = page.version, page.url, now
        record(session, inc, now, "bot", "confluence_published", "system", page=page.id, version=page.version,
               url=page.url)
        if await review_for(session, inc.id) is not None:  # type: ignore[arg-type]
            show_card(session, inc.id, now)
