"""The one table of job kinds: each kind's effect, what it means to a person reading the timeline
when it fails for good ("Could not <description>"), and who else must hear about that failure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.alerts import effects as alerts
from bot.clocks import effects as clocks
from bot.comms import effects as comms
from bot.drills import effects as drills
from bot.home import effects as home
from bot.incidents import effects as incidents
from bot.intake import effects as intake
from bot.jobs.context import ClaimedJob, JobContext
from bot.metrics import effects as metrics
from bot.paging import effects as paging
from bot.pir import effects as pir
from bot.playbooks import effects as playbooks
from bot.policy import Policy
from bot.records import delivery as webhook_delivery
from bot.records import effects as records
from bot.regulatory import effects as regulatory
from bot.timeline import effects as timeline

Effect = Callable[[JobContext], Awaitable[None]]
# (session, the job, the error, now): what else happens in the transaction that fails the job for good
OnFailure = Callable[[AsyncSession, ClaimedJob, str, datetime], Awaitable[None]]


# (session, clock, policy, the jobs): many jobs of one kind in one transaction, which finishes them too
BatchEffect = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Kind:
    effect: Effect
    description: str
    on_failure: OnFailure | None = None
    batch: BatchEffect | None = None  # many at once, when they need no call to Slack (a timer coming due)


KINDS: dict[str, Kind] = {
    # a request stored by the intake on the ack path (bot/intake), applied here
    "intake_apply": Kind(intake.apply, "apply a stored request"),
    # the incident: its channel, card, announcement and private replies
    "create_channel": Kind(incidents.create_channel, "create the incident channel", incidents.channel_failed),
    "invite": Kind(incidents.invite, "invite people to the channel"),
    "set_topic": Kind(incidents.set_topic, "set the channel topic"),
    "post_card": Kind(incidents.post_card, "post the summary card"),
    "pin_card": Kind(incidents.pin_card, "pin the summary card"),
    "refresh_card": Kind(incidents.refresh_card, "update the summary card"),
    "announce": Kind(incidents.announce, "announce the incident"),
    "respond": Kind(incidents.respond, "send a private reply"),
    "failure_notice": Kind(incidents.failure_notice, "tell people an effect failed"),
    "role_handover": Kind(incidents.role_handover, "tell the previous holder of a role"),
    "sync_admins": Kind(incidents.sync_admins, "read the incident admins' user group"),
    # the clocks
    "ack_reminder": Kind(clocks.timer("ack_reminder"), "remind about the acknowledgement", batch=clocks.fire_many),
    "ack_breach": Kind(clocks.timer("ack_breach"), "escalate the acknowledgement breach", batch=clocks.fire_many),
    "update_reminder": Kind(clocks.timer("update_reminder"), "remind about the update", batch=clocks.fire_many),
    "role_watch": Kind(clocks.timer("role_watch"), "remind about unfilled roles", batch=clocks.fire_many),
    "clock_message": Kind(clocks.clock_message, "post a reminder"),
    "notify_leadership": Kind(clocks.notify_leadership, "notify leadership"),
    # communications
    "post_update": Kind(comms.post_update, "post an update"),
    "update_thread": Kind(comms.update_thread, "post the update under the announcement"),
    "update_route": Kind(comms.update_route, "post the update to a stakeholder channel"),
    "resolved_message_reminder": Kind(comms.resolved_message_reminder, "remind about the resolved customer message"),
    "statuspage_sync": Kind(comms.statuspage_sync, "update Atlassian Statuspage"),
    "comms_line": Kind(comms.comms_line, "post about the customer message in the channel"),
    # alert triage
    "alert_post": Kind(alerts.post_triage, "post an alert's triage message"),
    "alert_refresh": Kind(alerts.refresh_triage, "update an alert's triage message"),
    "alert_line": Kind(alerts.alert_line, "post about an attached alert in the channel"),
    "reported_message": Kind(alerts.post_reported_message, "quote the reported message in the channel"),
    # the post-incident review
    "pir_card": Kind(pir.pir_card, "post the review card"),
    "pir_card_refresh": Kind(pir.pir_card_refresh, "update the review card"),
    "pir_remind": Kind(pir.pir_remind, "remind the review's owner"),
    "pir_export": Kind(pir.pir_export, "upload the review document"),
    "pir_merged": Kind(pir.pir_merged, "tell a writer their review answers were merged"),
    "action_assigned": Kind(pir.action_assigned, "tell the owner about an action item"),
    "action_reminder": Kind(pir.action_reminder, "remind about an overdue action item"),
    "action_done_message": Kind(pir.action_done_message, "mark the action item done in its message"),
    "pir_due_soon": Kind(pir.timer("pir_due_soon"), "remind that the review is due soon"),
    "pir_overdue": Kind(pir.timer("pir_overdue"), "remind that the review is overdue"),
    "action_overdue": Kind(pir.timer("action_overdue"), "remind about an overdue action item"),
    # playbooks, drills, the timeline
    "post_checklist": Kind(playbooks.post_checklist, "post the playbook checklist"),
    "refresh_checklist": Kind(playbooks.refresh_checklist, "update the playbook checklist"),
    "drill_event": Kind(drills.drill_event, "post a drill's scripted event"),
    "drill_message": Kind(drills.drill_message, "post a drill's scripted event"),
    "drill_report": Kind(drills.drill_report, "post the drill report"),
    "post_fact": Kind(timeline.post_fact, "post a message in the channel"),
    "read_pinned": Kind(timeline.read_pinned, "read a pinned message"),
    # paging: PagerDuty and Opsgenie
    "page_trigger": Kind(paging.page_trigger, "page the on-call", paging.page_failed),
    "page_acknowledge": Kind(paging.page_acknowledge, "acknowledge the page in the pager"),
    "page_resolve": Kind(paging.page_resolve, "resolve the page in the pager"),
    "page_escalate": Kind(paging.page_escalate, "escalate the page in the pager"),
    "oncall_lookup": Kind(paging.oncall_lookup, "find who is on call"),
    "oncall_report": Kind(paging.oncall_report, "say who is on call"),
    # metrics and the Home tab
    "post_stats": Kind(metrics.post_stats, "post the incident metrics"),
    "stats_chart": Kind(metrics.stats_chart, "upload the metrics chart"),
    "stats_refused": Kind(metrics.stats_refused, "say why the metrics could not be posted"),
    "publish_home": Kind(home.publish_home, "refresh the Home tab"),
    # records where the company works: Jira, Confluence, outgoing webhooks
    "jira_create_issue": Kind(records.jira_create_issue, "create the action item's Jira issue"),
    "jira_transition": Kind(records.jira_transition, "move the action item's Jira issue to done"),
    "jira_incident_sync": Kind(records.jira_incident_sync, "update the incident's Jira issue"),
    "confluence_publish": Kind(records.confluence_publish, "publish the review to Confluence"),
    "webhook_deliver": Kind(webhook_delivery.webhook_deliver, "deliver an outgoing webhook",
                            webhook_delivery.delivery_failed),
    # regulatory reporting
    "regulatory_timer": Kind(regulatory.regulatory_timer, "check a regulatory report's deadline"),
    "regulatory_message": Kind(regulatory.regulatory_message, "remind about a regulatory report"),
    "regulatory_draft": Kind(regulatory.regulatory_draft, "upload a regulatory report draft"),
}


def on_start(session: AsyncSession, policy: Policy, now: datetime) -> None:
    """What a worker plans when it starts: the jobs that keep themselves going (the admins' group)."""
    if incidents.synced_groups(policy):
        incidents.plan_admins_sync(session, now)


def effects() -> dict[str, Effect]:
    return {kind: k.effect for kind, k in KINDS.items()}


def batch_effects() -> dict[str, BatchEffect]:
    return {kind: k.batch for kind, k in KINDS.items() if k.batch is not None}


def describe(kind: str) -> str:
    """What a job of `kind` does, for "Could not …"; an unknown (retired) kind is named as it is."""
    known = KINDS.get(kind)
    return known.description if known else kind
