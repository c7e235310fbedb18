"""Events API: event type → listener."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.inflight import InFlight
from handlers.events import home, membership, timeline

EVENTS = {
    "member_joined_channel": membership.member_joined,
    "member_left_channel": membership.member_left,
    "app_home_opened": home.home_opened,
    "pin_added": timeline.pin_added,
    "pin_removed": timeline.pin_removed,
    "reaction_added": timeline.reaction_added,
    "reaction_removed": timeline.reaction_removed,
}


def register(app: AsyncApp, inflight: InFlight) -> None:
    for event_type, listener in EVENTS.items():
        app.event(event_type)(inflight.track(listener))
