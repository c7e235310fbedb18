"""The emulator's in-memory workspace: what a person would see in Slack.

The Web API server (server.py) changes it; the driver (driver.py) plays the Slack
client against the bot and reads it; tests and the demo inspect it. Plain data only.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class User:
    id: str
    name: str
    real_name: str
    is_bot: bool = False
    email: str | None = None
    tz: str = "Europe/London"
    tz_offset: int = 0  # seconds east of UTC, as users.info gives it


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool
    creator: str
    created: int
    members: set[str] = field(default_factory=set)
    topic: str = ""
    purpose: str = ""
    is_archived: bool = False
    pins: list[str] = field(default_factory=list)  # message ts, in pin order
    bookmarks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Message:
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    edited: bool = False
    files: list[str] = field(default_factory=list)
    metadata: dict[str, Any] | None = None  # chat.postMessage's `metadata`: event_type and event_payload


@dataclass
class Ephemeral:
    """A message only one user sees: chat.postEphemeral, or a post to a response_url."""

    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    via: str = "api"  # "api" | "response_url"


@dataclass
class View:
    id: str
    type: str  # "modal" | "home"
    user: str
    view: dict[str, Any]  # the view as the app sent it
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    external_id: str | None = None
    errors: dict[str, str] = field(default_factory=dict)  # last response_action=errors


@dataclass
class Call:
    """One Web API call as it reached the emulator, and what the emulator answered."""

    method: str
    args: dict[str, Any]
    ok: bool
    error: str | None
    status: int  # HTTP status of the answer
    at: float


@dataclass
class File:
    id: str
    filename: str
    title: str
    content: bytes
    channels: list[str] = field(default_factory=list)


class Workspace:
    """Users, channels, messages, pins, views, ephemerals and the call log of one team."""

    team_id = "T0EMULATOR"
    team_name = "Emulated Payments"

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[Message]] = {}  # channel id -> messages, oldest first
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, View] = {}
        self.files: dict[str, File] = {}
        self.calls: list[Call] = []
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self.bot_user_id = "U0BOT"
        self.users[self.bot_user_id] = User(self.bot_user_id, "incident-bot", "Incident Bot", is_bot=True)

    # -- ids ---------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def new_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    # -- seeding -----------------------------------------------------------
    def add_user(self, name: str, real_name: str | None = None, *, user_id: str | None = None,
                 email: str | None = None, tz: str = "Europe/London", tz_offset: int = 0) -> str:
        uid = user_id or self.new_id("U")
        self.users[uid] = User(uid, name, real_name or name.title(), email=email, tz=tz, tz_offset=tz_offset)
        return uid

    def add_channel(self, name: str, *, is_private: bool = False, members: tuple[str, ...] | list[str] = (),
                    bot_member: bool = False) -> str:
        cid = self.new_id("G" if is_private else "C")
        ch = Channel(cid, name, is_private, creator=next(iter(members), self.bot_user_id), created=int(time.time()))
        ch.members.update(members)
        if bot_member:
            ch.members.add(self.bot_user_id)
        self.channels[cid] = ch
        self.messages[cid] = []
        return cid

    # -- lookups -----------------------------------------------------------
    def channel_by_name(self, name: str) -> Channel | None:
        name = name.lstrip("#")
        return next((c for c in self.channels.values() if c.name == name), None)

    def channel(self, id_or_name: str) -> Channel | None:
        return self.channels.get(id_or_name) or self.channel_by_name(id_or_name)

    def messages_in(self, id_or_name: str) -> list[Message]:
        ch = self.channel(id_or_name)
        if ch is None:  # a DM: messages keyed by the user id
            return list(self.messages.get(id_or_name, []))
        return list(self.messages.get(ch.id, []))

    def message(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.messages_in(channel) if m.ts == ts), None)

    def ephemerals_for(self, user: str) -> list[Ephemeral]:
        return [e for e in self.ephemerals if e.user == user]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def open_modal(self, user: str) -> View | None:
        """The modal on top of the user's stack, if one is open."""
        modals = [v for v in self.views.values() if v.user == user and v.type == "modal"]
        return modals[-1] if modals else None
