"""`/incident impact …`, `/incident classify [regime]` and `/incident regulatory …`, inside an incident
channel."""

from __future__ import annotations

from typing import Any

from bot.core.errors import InvalidInput
from bot.deps import Deps
from bot.impact import blocks as impact_views
from bot.impact import fields
from bot.impact import service as impact
from bot.regulatory import blocks as views
from bot.regulatory import service as regulatory
from handlers.modal import open_modal

REGULATORY_USAGE = ("Usage: `/incident regulatory` (every clock), `/incident regulatory draft [regime] [report]` "
                    "(upload a draft), `/incident regulatory submitted <regime> <report> <reference>` (record a "
                    "submission), `/incident classify [regime]` (the classification form).")


async def impact_command(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    channel, user = command.get("channel_id"), command["user_id"]
    word = args.strip().lower()
    if word in ("", "show"):
        inc, values = await deps.in_channel(channel, impact.show, write=False)
        await ack(response_type="ephemeral", text=impact_views.impact_reply(inc, values))
        return
    if word in ("help", "?"):
        await ack(response_type="ephemeral", text=fields.USAGE)
        return
    if word in ("form", "edit"):
        inc, values = await deps.in_channel(channel, impact.show, write=False)
        await open_modal(client, command["trigger_id"], impact_views.impact_modal(inc, values))
        await ack()
        return
    changes = fields.parse_args(args)
    values = await deps.in_channel(channel, impact.set_impact, values=changes, actor=user, via="command")
    inc, _ = await deps.in_channel(channel, impact.show, write=False)
    await ack(response_type="ephemeral", text=impact_views.saved_reply(inc, values))


async def classify(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    inc, regime, values = await deps.in_channel(command.get("channel_id"), regulatory.classify_form, write=False,
                                                regime=args.strip().lower() or None, actor=command["user_id"])
    await open_modal(client, command["trigger_id"], views.classify_modal(inc, regime, values))
    await ack()


async def regulatory_command(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    channel, user = command.get("channel_id"), command["user_id"]
    word, _, rest = args.strip().partition(" ")
    word = word.lower()
    if word in ("", "list", "clocks"):
        inc, decided, rows = await deps.in_channel(channel, regulatory.overview, write=False)
        text, blocks = views.listing(inc, deps.policy, decided, rows, deps.clock.now())
        await ack(response_type="ephemeral", text=text, blocks=blocks)
        return
    if word == "draft":
        parts = rest.split()
        if len(parts) > 2:
            raise InvalidInput(REGULATORY_USAGE)
        inc, row = await deps.in_channel(channel, regulatory.draft, regime=parts[0].lower() if parts else None,
                                         report=parts[1].lower() if len(parts) > 1 else None, actor=user,
                                         via="command")
        await ack(response_type="ephemeral", text=f":page_facing_up: Drafting the "
                                                  f"{views.report_label(deps.policy, row)} of {inc.key} here.")
        return
    if word in ("submitted", "submit"):
        parts = rest.split(None, 2)
        if len(parts) < 3:
            raise InvalidInput(REGULATORY_USAGE)
        row = await deps.in_channel(channel, regulatory.find_report, write=False, regime=parts[0],
                                    report=parts[1])
        assert row.id is not None
        row = await deps.run(regulatory.mark_submitted, report_id=row.id, reference=parts[2], actor=user,
                             via="command")
        await ack(response_type="ephemeral", text=f":white_check_mark: Recorded: the "
                                                  f"{views.report_label(deps.policy, row)} was submitted.")
        return
    raise InvalidInput(REGULATORY_USAGE)
