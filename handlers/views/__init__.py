"""Modal submissions: callback id → listener."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.blocks import ids
from bot.core.inflight import InFlight
from handlers.views import comms, pir, playbooks, regulatory, submitted, triage

VIEWS = {
    ids.DECLARE_VIEW: submitted.declare_submitted,
    ids.ROLES_VIEW: submitted.roles_submitted,
    ids.UPDATE_VIEW: submitted.update_submitted,
    ids.PUBLISH_VIEW: comms.publish_submitted,
    ids.ATTACH_VIEW: triage.attach_submitted,
    ids.PIR_VIEW: pir.pir_submitted,
    ids.ACTION_VIEW: pir.action_submitted,
    ids.RESOLVE_VIEW: playbooks.resolve_submitted,
    ids.IMPACT_VIEW: regulatory.impact_submitted,
    ids.CLASSIFY_VIEW: regulatory.classify_submitted,
    ids.SUBMITTED_VIEW: regulatory.submitted_submitted,
}


async def close_unknown(ack: Any) -> None:
    """A modal from an older version of the bot: close it rather than leave Slack showing an error."""
    await ack()


def register(app: AsyncApp, inflight: InFlight) -> None:
    for callback_id, listener in VIEWS.items():
        app.view(callback_id)(inflight.track(listener))
    app.view(re.compile(".*"))(close_unknown)
