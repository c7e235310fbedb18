"""`/incident note <text>` and `/incident timeline [page]`."""

from __future__ import annotations

from typing import Any

from bot.blocks.timeline import timeline_page
from bot.deps import Deps
from bot.errors import InvalidInput
from bot.services import incidents, timeline
from handlers.commands.changes import incident_id_for


async def note(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    incident_id = await incident_id_for(deps, command)
    async with deps.sessionmaker() as session, session.begin():
        inc = await timeline.note(session=session, clock=deps.clock, incident_id=incident_id,
                                  actor=command["user_id"], text=args, via="command")
    await ack(response_type="ephemeral", text=f"Added to the timeline of {inc.key}.")


async def show(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    raw = args.strip().lower().removeprefix("page").strip()
    if raw and not raw.isdigit():
        raise InvalidInput("Usage: `/incident timeline` (the first page) or `/incident timeline 2`.")
    incident_id = await incident_id_for(deps, command)
    async with deps.sessionmaker() as session:
        page = await timeline.page(session, incident_id, int(raw) if raw else 1)
        inc = await incidents.get(session, incident_id)
    text, blocks = timeline_page(inc, page)
    await ack(response_type="ephemeral", text=text, blocks=blocks)
