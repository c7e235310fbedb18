"""`/incident note <text>` and `/incident timeline [page]`."""

from __future__ import annotations

from typing import Any

from bot.core.errors import InvalidInput
from bot.deps import Deps
from bot.timeline import service as timeline
from bot.timeline.blocks import timeline_page


async def note(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    inc = await deps.in_channel(command.get("channel_id"), timeline.note, actor=command["user_id"], text=args,
                                via="command")
    await ack(response_type="ephemeral", text=f"Added to the timeline of {inc.key}.")


async def show(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    raw = args.strip().lower().removeprefix("page").strip()
    if raw and not raw.isdigit():
        raise InvalidInput("Usage: `/incident timeline` (the first page) or `/incident timeline 2`.")
    inc, page = await deps.read(timeline.page_in_channel, channel_id=command.get("channel_id"),
                                number=int(raw) if raw else 1)
    text, blocks = timeline_page(inc, page)
    await ack(response_type="ephemeral", text=text, blocks=blocks)
