"""What the bot checks before it serves: the bot token (auth.test), and every channel the
configuration names, joining the public ones it must post in. `/readyz` reports what was found."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import ConfigError, Settings
from bot.policy import Policy

log = logging.getLogger(__name__)
REFUSED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
           "not_allowed_token_type"}
RETRY_DELAYS = (1.0, 2.0, 4.0)  # seconds between auth.test tries at start while Slack is away


@dataclass
class Readiness:
    """What the start-up checks found; `slack` is "ok", "not checked" or the reason it is not ready."""

    slack: str = "not checked"
    team: str | None = None
    bot_user: str | None = None
    joined: list[str] = field(default_factory=list)


def _error(exc: SlackApiError) -> str:
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    return str(data.get("error") or exc.response.status_code)


async def check_token(client: AsyncWebClient, readiness: Readiness,
                      retry_delays: tuple[float, ...] = RETRY_DELAYS) -> None:
    """auth.test: a refused token stops start-up naming it; the workspace and bot user are logged. Slack
    away (5xx, no connection) is asked again a few times, then stops start-up saying so (a restart retries)."""
    for attempt, delay in enumerate((*retry_delays, None)):
        try:
            resp = await client.auth_test()
            break
        except SlackApiError as exc:
            error = _error(exc)
            if error in REFUSED:
                readiness.slack = f"SLACK_BOT_TOKEN refused ({error})"
                raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack ({error}): copy the Bot User OAuth Token "
                                  "(xoxb-…) from the app's OAuth & Permissions page, and reinstall the app if it "
                                  "was revoked") from None
            if exc.response.status_code < 500 and exc.response.status_code != 429:
                readiness.slack = f"auth.test answered {error}"
                raise ConfigError(f"SLACK_BOT_TOKEN: Slack's auth.test answered {error}") from None
            reason = f"HTTP {exc.response.status_code}"
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            reason = type(exc).__name__
        readiness.slack = f"Slack unreachable ({reason})"
        if delay is None:
            raise ConfigError(f"SLACK_API_URL: Slack could not be reached at {client.base_url} ({reason}, "
                              f"{attempt + 1} tries): is Slack up, and does this host reach it?") from None
        log.warning("Slack could not be reached (%s); asking again in %.0fs", reason, delay)
        await asyncio.sleep(delay)
    readiness.slack, readiness.team, readiness.bot_user = "ok", resp.get("team"), resp.get("user_id")
    log.info("Slack token valid: workspace %s (%s), bot user %s (%s)", resp.get("team"), resp.get("team_id"),
             resp.get("user"), resp.get("user_id"))


def channels_to_post_in(settings: Settings, policy: Policy) -> dict[str, str]:
    """Each configured channel the bot posts in -> the key that names it."""
    named: dict[str, str] = {}
    if settings.announce_channel:
        named[settings.announce_channel] = "INCIDENT_ANNOUNCE_CHANNEL"
    for key, channel in (("escalation.channel", policy.escalation.channel),
                         ("escalation.operators_channel", policy.escalation.operators_channel),
                         ("alerts.channel", policy.alerts.channel)):
        if channel:
            named.setdefault(channel, key)
    for name, route in policy.comms.routes.items():
        named.setdefault(route.channel, f"comms.routes.{name}.channel")
    return named


async def check_channels(client: AsyncWebClient, settings: Settings, policy: Policy,
                         readiness: Readiness | None = None, *, join: bool = True) -> list[str]:
    """Every channel exists and the bot is in it, joining public ones (when `join`); the problems, one
    line each naming the key. A Slack hiccup is logged, not a problem: the posts will retry."""
    problems = []
    for channel, key in channels_to_post_in(settings, policy).items():
        try:
            info: dict[str, Any] = (await client.conversations_info(channel=channel))["channel"]
        except SlackApiError as exc:
            error = _error(exc)
            if error == "channel_not_found":
                problems.append(f"{key}: channel {channel} was not found: it does not exist, or it is private and "
                                "the bot is not in it (invite it there: /invite @incident-bot)")
            else:
                log.warning("%s: could not look up channel %s (%s)", key, channel, error)
            continue
        name = f"#{info.get('name')} ({channel})"
        if info.get("is_archived"):
            problems.append(f"{key}: channel {name} is archived: unarchive it or name another")
        elif info.get("is_member"):
            continue
        elif info.get("is_private"):
            problems.append(f"{key}: the bot is not in the private channel {name}: invite it (/invite @incident-bot)")
        elif not join:
            problems.append(f"{key}: the bot is not in {name} yet (it joins at start)")
        else:
            try:
                await client.conversations_join(channel=channel)
            except SlackApiError as exc:
                problems.append(f"{key}: could not join {name} ({_error(exc)}): invite the bot (/invite @incident-bot)")
                continue
            log.info("joined %s, named by %s", name, key)
            if readiness is not None:
                readiness.joined.append(channel)
    return problems


async def check_slack(client: AsyncWebClient, settings: Settings, readiness: Readiness) -> None:
    """At start: the token, then the channels; any problem stops start-up with every line."""
    await check_token(client, readiness)
    problems = await check_channels(client, settings, settings.policy, readiness)
    if problems:
        readiness.slack = "channels misconfigured"
        raise ConfigError("\n".join(problems))
