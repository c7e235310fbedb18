"""The App Home tab: the open incidents a user may see, and how to start one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.card import mrkdwn, plain
from bot.blocks.messages import incident_list
from bot.policy import Policy
from models import Incident

MAX_LISTED = 40


def home_view(incidents: list[Incident], policy: Policy, now: datetime) -> dict[str, Any]:
    lines = incident_list(incidents[:MAX_LISTED], policy, now).split("\n")
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain("Incidents")}]
    # one section per incident keeps every text far below the 3,000-character limit
    blocks += [{"type": "section", "text": mrkdwn(line)} for line in lines]
    if len(incidents) > MAX_LISTED:
        blocks.append({"type": "context", "elements": [mrkdwn(f"…and {len(incidents) - MAX_LISTED} more: "
                                                              "`/incident list` shows them all.")]})
    blocks += [{"type": "divider"},
               {"type": "context", "elements": [mrkdwn("Declare with `/incident declare`; `/incident help` "
                                                       "lists every command.")]}]
    return {"type": "home", "blocks": blocks}
