"""Shared pieces of the emulator's Web API handlers: errors, argument helpers, lookups, JSON shapes.

A handler is `handler(emu, args) -> dict`: it validates everything first and raises
ApiError before touching the workspace, so a rejected call never changes state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.emulator.blockkit import Rejection
from bot.emulator.state import Channel, Message, User, Workspace


class Emulator(Protocol):
    """What the Web API methods use of the emulator (bot/emulator/server.py's SlackEmulator), so that the
    method modules need not import the server that dispatches to them."""

    workspace: Workspace
    bot_id: str
    app_id: str
    socket: Any  # socket_mode.SocketModeHub
    usergroups: dict[str, list[str]]
    reactions: dict[tuple[str, str], dict[str, list[str]]]
    uploads: dict[str, Any]

    @property
    def base_url(self) -> str: ...
    def trigger_user(self, trigger_id: str) -> str: ...
    def spend_trigger(self, trigger_id: str) -> None: ...
    def dm_user(self, channel_arg: str) -> str | None: ...
    def dm_id(self, user_id: str) -> str: ...
    def open_upload(self, filename: str, length: int) -> str: ...
    async def socket_send(self, kind: str, payload: dict[str, Any], *, timeout: float = 3.0,
                          **envelope: Any) -> dict[str, Any] | None: ...


Handler = Callable[[Emulator, dict[str, Any]], dict[str, Any]]


class ApiError(Exception):
    """A Slack error answer: HTTP 200 with {"ok": false, "error": ..., **extra}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    @classmethod
    def rejected(cls, rejection: Rejection) -> ApiError:
        if rejection.messages:
            return cls(rejection.error, response_metadata={"messages": list(rejection.messages)})
        return cls(rejection.error)

    @classmethod
    def missing(cls, name: str) -> ApiError:
        """Slack's generic answer for a required argument without a documented error of its own."""
        return cls("invalid_arguments",
                   response_metadata={"messages": [f"[ERROR] missing required field: {name}"]})


# -- arguments --------------------------------------------------------------------------
def arg(args: dict[str, Any], name: str) -> str | None:
    """A string argument; None when absent. Form posts carry strings, JSON posts may carry numbers."""
    value = args.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def need(args: dict[str, Any], name: str, error: str | None = None) -> str:
    """A required, non-empty string argument; raise `error` (or invalid_arguments) when absent."""
    value = arg(args, name)
    if not value:
        raise ApiError(error) if error else ApiError.missing(name)
    return value


def flag(value: Any) -> bool:
    """Slack booleans: true/false in JSON, "true"/"1" in forms (slack_sdk sends "1"/"0")."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def id_list(value: Any) -> list[str]:
    """A comma-separated string (what slack_sdk sends) or a JSON list of ids."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(i).strip() for i in items if str(i).strip()]


# -- conversations ---------------------------------------------------------------------------
@dataclass
class Target:
    """Where a message goes: `key` indexes workspace.messages, `reply_id` is what Slack echoes back."""

    key: str
    reply_id: str
    channel: Channel | None  # None for a DM
    dm_user: str | None = None


def find_target(emu: Emulator, channel_arg: str | None, *, member: bool = True,
                archived_ok: bool = False, by_name: bool = False) -> Target:
    """Resolve a `channel` argument the way the bot token sees it.

    DMs: a user id (or the D-id the emulator gave back for it) opens a DM with that user;
    its messages live under the user's id in workspace.messages, as state.py documents.
    Private channels the bot is not in look non-existent to it (channel_not_found);
    public ones answer not_in_channel when membership is needed.
    """
    ws = emu.workspace
    if not channel_arg:
        raise ApiError("channel_not_found")
    dm_user = emu.dm_user(channel_arg)
    if dm_user is not None:
        return Target(dm_user, emu.dm_id(dm_user), None, dm_user)
    ch = ws.channels.get(channel_arg) or (ws.channel_by_name(channel_arg) if by_name else None)
    if ch is None or (ch.is_private and ws.bot_user_id not in ch.members):
        raise ApiError("channel_not_found")
    if ch.is_archived and not archived_ok:
        raise ApiError("is_archived")
    if member and ws.bot_user_id not in ch.members:
        raise ApiError("not_in_channel")
    return Target(ch.id, ch.id, ch)


def find_message(emu: Emulator, target: Target, ts: str | None, error: str = "message_not_found") -> Message:
    if not ts:
        raise ApiError(error)
    msg = next((m for m in emu.workspace.messages.get(target.key, []) if m.ts == ts), None)
    if msg is None:
        raise ApiError(error)
    return msg


def post_message(emu: Emulator, target: Target, *, text: str, blocks: list[dict[str, Any]] | None = None,
                 thread_ts: str | None = None, files: list[str] | None = None, user: str | None = None) -> Message:
    ws = emu.workspace
    msg = Message(target.key, ws.new_ts(), user or ws.bot_user_id, text, list(blocks or []),
                  thread_ts=thread_ts or None, files=list(files or []))
    ws.messages.setdefault(target.key, []).append(msg)
    return msg


# -- JSON shapes (like the examples in Slack's method reference) --------------------------------
def channel_json(emu: Emulator, ch: Channel) -> dict[str, Any]:
    bot = emu.workspace.bot_user_id
    return {
        "id": ch.id, "name": ch.name, "name_normalized": ch.name,
        "is_channel": not ch.is_private, "is_group": ch.is_private, "is_im": False, "is_mpim": False,
        "is_private": ch.is_private, "created": ch.created, "creator": ch.creator,
        "is_archived": ch.is_archived, "is_general": False, "is_shared": False, "is_ext_shared": False,
        "is_org_shared": False, "is_member": bot in ch.members, "num_members": len(ch.members),
        "topic": {"value": ch.topic, "creator": "", "last_set": 0},
        "purpose": {"value": ch.purpose, "creator": "", "last_set": 0},
        "previous_names": [], "context_team_id": emu.workspace.team_id,
    }


def message_json(emu: Emulator, msg: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "message", "user": msg.user, "text": msg.text, "ts": msg.ts,
                           "team": emu.workspace.team_id}
    if msg.user == emu.workspace.bot_user_id:
        out.update(bot_id=emu.bot_id, app_id=emu.app_id)
    if msg.blocks:
        out["blocks"] = msg.blocks
    if msg.thread_ts:
        out["thread_ts"] = msg.thread_ts
    if msg.edited:
        out["edited"] = {"user": msg.user, "ts": msg.ts}
    if msg.files:
        out["files"] = [file_json(emu, fid) for fid in msg.files]
    reactions = emu.reactions.get((msg.channel, msg.ts))
    if reactions:
        out["reactions"] = [{"name": n, "users": list(u), "count": len(u)} for n, u in reactions.items()]
    return out


def file_json(emu: Emulator, file_id: str) -> dict[str, Any]:
    f = emu.workspace.files.get(file_id)
    if f is None:
        return {"id": file_id}
    return {"id": f.id, "name": f.filename, "title": f.title, "size": len(f.content),
            "channels": list(f.channels), "user": emu.workspace.bot_user_id, "created": int(time.time()),
            "permalink": f"https://emulated.slack.test/files/{emu.workspace.bot_user_id}/{f.id}/{f.filename}"}


def user_json(emu: Emulator, user: User) -> dict[str, Any]:
    profile: dict[str, Any] = {"real_name": user.real_name, "display_name": user.name,
                               "real_name_normalized": user.real_name, "display_name_normalized": user.name,
                               "team": emu.workspace.team_id}
    if user.email:
        profile["email"] = user.email
    if user.is_bot:
        profile["bot_id"] = emu.bot_id
    return {"id": user.id, "team_id": emu.workspace.team_id, "name": user.name, "deleted": False,
            "real_name": user.real_name, "tz": user.tz, "tz_label": user.tz,
            "tz_offset": user.tz_offset, "profile": profile, "is_admin": False, "is_owner": False,
            "is_bot": user.is_bot,
            "is_app_user": False, "updated": int(time.time())}
