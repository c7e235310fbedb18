"""Events API: event type → listener."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.inflight import InFlight
from handlers.events import home, membership

EVENTS = {
    "member_joined_channel": membership.member_joined,
    "member_left_channel": membership.member_left,
    "app_home_opened": home.home_opened,
}


def register(app: AsyncApp, inflight: InFlight) -> None:
    for event_type, listener in EVENTS.items():
        app.event(event_type)(inflight.track(listener))
