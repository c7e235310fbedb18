"""A local Opsgenie for the tests and the demo: the Alert API by alias, schedules' on-calls, and the
outgoing webhook sent as a responder acts (bot/emulator/opsgenie/server.py)."""

from bot.emulator.opsgenie.server import FakeOpsgenie

__all__ = ["FakeOpsgenie"]
