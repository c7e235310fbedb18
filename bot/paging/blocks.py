"""What paging says in Slack: the card's paging line and the reply to `/incident oncall`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import text as t
from bot.paging.pagerduty import Person
from bot.policy import Policy
from bot.policy.paging import PageRoute
from models import PAGERS, Page


@dataclass(frozen=True)
class OnCallRow:
    route: str
    config: PageRoute
    person: Person | None
    user: str | None  # their Slack user
    error: str | None


def _person(name: str | None, email: str | None, user: str | None) -> str:
    if user:
        return t.user(user)
    return t.escape(name or email or "someone")


def card_line(page: Page | None) -> str | None:
    """`Paged: <service>` and what the pager said since, or the pager's refusal."""
    if page is None:
        return None
    where = f"{t.escape(page.service)} ({PAGERS.get(page.pager, page.pager)})"
    if page.status == "failed":
        return f":warning: *Page failed* — {where}: {t.escape(page.error or 'the pager refused it')}"
    line = f":pager: *Paged:* {where}"
    if page.status == "pending":
        line += " · sending…"
    elif page.status == "acknowledged":
        line += f" · acknowledged{' by ' + t.escape(page.acknowledged_by) if page.acknowledged_by else ''}"
    elif page.status == "resolved":
        line += " · resolved"
    else:
        line += " · waiting for an acknowledgement"
        if page.escalation_level > 1:
            line += f" (escalated to level {page.escalation_level})"
    if page.oncall_name or page.oncall_user:
        line += f" · on call: {_person(page.oncall_name, page.oncall_email, page.oncall_user)}"
    return line


def oncall_report(rows: list[OnCallRow], policy: Policy) -> str:
    if not rows:
        return ("No paging routes are set up: add `[paging.routes.<name>]` to the policy (see the README's "
                "\"Paging: PagerDuty and Opsgenie\").")
    lines = ["*Who is on call now*"]
    for row in rows:
        pager = PAGERS.get(row.config.pager, row.config.pager)
        sevs = ", ".join(row.config.severities or policy.paging.severities)
        head = f"• *{t.escape(row.config.service)}* ({pager}; {sevs})"
        if row.error:
            lines.append(f"{head}: could not ask — {t.escape(row.error)}")
        elif row.person is None:
            lines.append(f"{head}: no schedule to ask (set escalation_policy or schedule on the route, and the "
                         "pager's API credentials)")
        else:
            found = _person(row.person.name, row.person.email, row.user)
            extra = "" if row.user else " (no Slack user with that email)"
            lines.append(f"{head}: {found}{extra}")
    return "\n".join(lines)
