"""`/incident` and its subcommands: a table from the first word to the listener."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.core import text as t
from bot.core.inflight import InFlight
from handlers.commands import (
    changes,
    clocks,
    comms,
    declare,
    drill,
    listing,
    oncall,
    pir,
    regulatory,
    stats,
    timeline,
)

COMMAND = "/incident"

Subcommand = Callable[..., Awaitable[None]]

SUBCOMMANDS: dict[str, Subcommand] = {
    "declare": declare.declare,
    "severity": changes.severity,
    "sev": changes.severity,
    "status": changes.status,
    "role": changes.role,
    "update": changes.update,
    "resolve": changes.resolve,
    "ack": clocks.ack,
    "clocks": clocks.show,
    "oncall": oncall.oncall,
    "draft": comms.draft,
    "drill": drill.drill,
    "note": timeline.note,
    "timeline": timeline.show,
    "pir": pir.pir,
    "action": pir.action,
    "actions": pir.actions,
    "list": listing.list_open,
    "stats": stats.stats,
    "help": listing.help,
    "impact": regulatory.impact_command,
    "classify": regulatory.classify,
    "regulatory": regulatory.regulatory_command,
}


async def incident_command(ack: Any, command: dict[str, Any], context: dict[str, Any], client: Any) -> None:
    word, _, rest = (command.get("text") or "").strip().partition(" ")
    handler = SUBCOMMANDS.get(word.lower() or "help")
    if handler is None:
        await ack(response_type="ephemeral",
                  text=f"I don't know `{COMMAND} {t.escape(word[:40])}`. Try `{COMMAND} help` for what I can do.")
        return
    await handler(ack=ack, command=command, args=rest.strip(), deps=context["deps"], client=client)


def register(app: AsyncApp, inflight: InFlight) -> None:
    app.command(COMMAND)(inflight.track(incident_command))
