"""Clicks on the summary card and on reminders: action id → listener. Anything else (a link button) is acknowledged."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.blocks import ids
from bot.core.inflight import InFlight
from handlers.actions import card, clocks, comms, pir, playbooks, regulatory, triage

ACTIONS: dict[str | re.Pattern[str], Any] = {
    ids.SEVERITY_SELECT: card.severity_selected,
    ids.STATUS_SELECT: card.status_selected,
    ids.ASSIGN_ROLES: card.assign_roles_clicked,
    ids.POST_UPDATE: card.post_update_clicked,
    ids.RESOLVE: card.resolve_clicked,
    ids.ACKNOWLEDGE: clocks.ack_clicked,
    re.compile(f"^{ids.SNOOZE}(:|$)"): clocks.snooze_clicked,
    re.compile(f"^{ids.TAKE_ROLE}(:|$)"): clocks.take_role_clicked,
    ids.REGULATORY: clocks.regulatory_toggled,
    ids.DRAFT_MESSAGE: comms.draft_clicked,
    ids.SKIP_RESOLVED: comms.skip_clicked,
    ids.PIR_FILL: pir.fill_clicked,
    ids.PIR_ADD_ACTION: pir.add_action_clicked,
    ids.PIR_COMPLETE: pir.complete_clicked,
    ids.PIR_EXPORT: pir.export_clicked,
    ids.ACTION_DONE: pir.done_clicked,
    ids.PLAYBOOK_TICK: playbooks.ticked,
    ids.ALERT_DECLARE: triage.declare_clicked,
    ids.ALERT_ACK: triage.acknowledge_clicked,
    ids.ALERT_ATTACH: triage.attach_clicked,
    ids.ALERT_DISMISS: triage.dismiss_clicked,
    ids.IMPACT: regulatory.impact_clicked,
    ids.CLASSIFY: regulatory.classify_selected,
    ids.MARK_SUBMITTED: regulatory.mark_submitted_clicked,
    ids.DRAFT_REPORT: regulatory.draft_clicked,
}


async def acknowledge_only(ack: Any) -> None:
    await ack()


def register(app: AsyncApp, inflight: InFlight) -> None:
    for action_id, listener in ACTIONS.items():
        app.action(action_id)(inflight.track(listener))
    # Link buttons and stale messages still send block_actions; answer them rather than 404.
    app.action(re.compile(".*"))(acknowledge_only)
