"""A local PagerDuty for the tests and the demo: the Events API v2, the REST API calls the bot makes,
and webhooks v3 sent as a responder acts (bot/emulator/pagerduty/server.py)."""

from bot.emulator.pagerduty.server import FakePagerDuty

__all__ = ["FakePagerDuty"]
