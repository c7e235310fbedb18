"""The Home tab's job kind: publish a fresh view for one user."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.home import service as home
from bot.home.blocks import home_view
from bot.jobs.context import JobContext, slack_error

log = logging.getLogger(__name__)


async def publish_home(ctx: JobContext) -> None:
    user = ctx.job.payload["user"]
    async with ctx.sessionmaker() as session:
        data = await home.load(session, viewer=user, policy=ctx.policy, now=ctx.clock.now())
    public_url = ctx.settings.public_url if ctx.settings else None
    try:
        await ctx.client.views_publish(user_id=user, view=home_view(data, ctx.policy, public_url))
    except SlackApiError as exc:
        # Slack fetches an image block's URL while publishing and refuses the whole view when it
        # cannot (a wrong PUBLIC_URL, the bot unreachable): show the figures without the chart.
        if not public_url or slack_error(exc) != "invalid_blocks":
            raise
        log.warning("views.publish refused the Home tab with its chart (is PUBLIC_URL=%s reachable from Slack?); "
                    "publishing it without", public_url)
        await ctx.client.views_publish(user_id=user, view=home_view(data, ctx.policy, None))
