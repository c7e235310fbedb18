"""`/incident stats [30d|90d]`: the metrics panel and its chart, posted in the channel it is typed in."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.metrics import service as metrics
from bot.metrics.figures import parse_period


async def stats(*, ack: Any, command: dict[str, Any], args: str, deps: Deps, client: Any) -> None:
    days = parse_period(args)
    await deps.run(metrics.request_stats, days=days, channel=command["channel_id"], user=command["user_id"],
                   response_url=command.get("response_url"))
    await ack(response_type="ephemeral", text=f":bar_chart: Posting the metrics of the last {days} days here.")
