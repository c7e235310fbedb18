"""`/incident oncall`: who is on call now for each paging route, asked of PagerDuty or Opsgenie by a job
and answered privately."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.paging import service as paging


async def oncall(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    if not deps.policy.paging.routes:
        await ack(response_type="ephemeral", text="No paging routes are set up: add `[paging.routes.<name>]` to the "
                                                  "policy (see the README's \"Paging: PagerDuty and Opsgenie\").")
        return
    reply = {"user": command["user_id"], "response_url": command.get("response_url", "")}
    await deps.run(paging.ask_oncall, reply=reply)
    await ack(response_type="ephemeral", text=":pager: Asking the pagers who is on call…")
