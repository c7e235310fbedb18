"""`/incident declare [severity] [title…]`: declare at once, or open the modal pre-filled."""

from __future__ import annotations

import re
from typing import Any

from bot.core import text as t
from bot.deps import Deps
from bot.incidents import service as incidents
from bot.incidents.blocks import declared_reply
from bot.incidents.modals import declare_modal
from bot.incidents.naming import channel_name
from bot.intake import service as intake
from handlers.modal import open_modal

# A first word that is clearly meant as a severity ("sev7", "SEV-x", "9") rather than a title word.
_LOOKS_LIKE_SEVERITY = re.compile(r"^(sev\S*|\d+)$", re.IGNORECASE)


async def declare(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    first, _, rest = args.partition(" ")
    severity = incidents.parse_severity(first, deps.policy) if first else None
    if first and severity is None and _LOOKS_LIKE_SEVERITY.match(first):
        await ack(response_type="ephemeral",
                  text=f"`{t.escape(first[:20])}` is not a severity. "
                       f"Write it as {incidents.severity_forms(deps.policy)}, "
                       f"e.g. `/incident declare sev1 Card payments failing in EU`.")
        return
    title = rest.strip() if severity is not None else args
    user = command["user_id"]
    reply = {"user": user, "response_url": command.get("response_url", "")}
    if severity is None or not title:
        await open_modal(client, command["trigger_id"], declare_modal(
            deps.policy, user_id=user, title=title, severity=severity, metadata={"reply": reply}))
        await ack()
        return
    # Stored durably before the ack (the group commit of bot/intake); the worker declares it, and tells the
    # declarer privately if it is refused after all.
    entry = intake.declaration(deps.policy, title=title, severity=severity, declared_by=user, now=deps.clock.now(),
                               reply=reply, announce_channel=deps.settings.announce_channel, via="command")
    number = await deps.accept(entry)
    assert number is not None
    title = entry.args["title"]
    await ack(response_type="ephemeral",
              text=declared_reply(number, severity, title, deps.policy, channel_name(number, title)))
