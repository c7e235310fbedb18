"""A local Slack for tests and the demo: an in-memory workspace behind an emulated Web API.

Only the server and the workspace are imported here; the driver and renderer are
imported from their own modules when needed.
"""

from bot.emulator.server import SlackEmulator
from bot.emulator.state import Workspace

__all__ = ["SlackEmulator", "Workspace"]
