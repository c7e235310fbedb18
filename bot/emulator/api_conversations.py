"""Emulated Web API methods about conversations and the people in the team.

Owns conversations.* (create, invite, join, open, info, members, list, rename, archive,
setTopic, setPurpose), users.info, users.lookupByEmail, usergroups.users.list and
auth.test.
"""

from __future__ import annotations

import time
from typing import Any

from bot.emulator.api_common import (
    ApiError,
    Emulator,
    Handler,
    arg,
    channel_json,
    find_target,
    flag,
    id_list,
    message_json,
    need,
    user_json,
)
from bot.emulator.blockkit import channel_name_error
from bot.emulator.state import Channel

MAX_INVITES = 100
MAX_TOPIC = 250


def _channel_only(emu: Emulator, channel_arg: str | None, **kw: Any) -> Channel:
    """A channel (not a DM) as the bot sees it; DMs get Slack's 'wrong channel type' error."""
    target = find_target(emu, channel_arg, **kw)
    if target.channel is None:
        raise ApiError("method_not_supported_for_channel_type")
    return target.channel


def _page(items: list[Any], args: dict[str, Any], default_limit: int) -> tuple[list[Any], str]:
    """Cursor pagination as Slack does it: an opaque cursor, empty when there is nothing more."""
    try:
        limit = int(arg(args, "limit") or default_limit)
    except ValueError:
        raise ApiError("invalid_limit") from None
    limit = max(1, min(limit, 1000))
    cursor = arg(args, "cursor") or ""
    if cursor and not cursor.startswith("next:"):
        raise ApiError("invalid_cursor")
    try:
        start = int(cursor[5:]) if cursor else 0
    except ValueError:
        raise ApiError("invalid_cursor") from None
    end = start + limit
    return items[start:end], (f"next:{end}" if end < len(items) else "")


# -- conversations.* ---------------------------------------------------------------------------
def conversations_create(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    ws = emu.workspace
    name = arg(args, "name")
    error = channel_name_error(name)
    if error:
        raise ApiError(error)
    assert name is not None
    if ws.channel_by_name(name) is not None:  # archived channels keep their names taken too
        raise ApiError("name_taken")
    cid = ws.add_channel(name, is_private=flag(args.get("is_private")), members=(ws.bot_user_id,))
    return {"channel": channel_json(emu, ws.channels[cid])}


def conversations_invite(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    ws = emu.workspace
    ch = _channel_only(emu, arg(args, "channel"), member=False)
    users = list(dict.fromkeys(id_list(args.get("users"))))
    if not users:
        raise ApiError("no_user")
    if len(users) > MAX_INVITES:
        raise ApiError("too_many_users")
    if ws.bot_user_id not in ch.members:
        raise ApiError("not_in_channel")
    errors: list[dict[str, Any]] = []
    for user in users:
        if user == ws.bot_user_id:
            errors.append({"user": user, "ok": False, "error": "cant_invite_self"})
        elif user not in ws.users:
            errors.append({"user": user, "ok": False, "error": "user_not_found"})
        elif user in ch.members:
            errors.append({"user": user, "ok": False, "error": "already_in_channel"})
    fatal = [e for e in errors if e["error"] != "already_in_channel"]
    # Without force=true one bad id fails the whole call and nobody is invited.
    if fatal and not flag(args.get("force")):
        raise ApiError(fatal[0]["error"], errors=errors)
    bad = {e["user"] for e in errors}
    new = [u for u in users if u not in bad]
    if not new:
        raise ApiError(errors[0]["error"], errors=errors)
    ch.members.update(new)
    out: dict[str, Any] = {"channel": channel_json(emu, ch)}
    if fatal:
        out["errors"] = fatal
    return out


def conversations_join(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    ch = emu.workspace.channels.get(arg(args, "channel") or "")
    if ch is None:
        raise ApiError("channel_not_found")
    if ch.is_private:
        raise ApiError("method_not_supported_for_channel_type")
    if ch.is_archived:
        raise ApiError("is_archived")
    ch.members.add(emu.workspace.bot_user_id)
    return {"channel": channel_json(emu, ch)}


def conversations_info(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    target = find_target(emu, arg(args, "channel"), member=False, archived_ok=True)
    if target.channel is None:
        return {"channel": {"id": target.reply_id, "is_im": True, "user": target.dm_user, "is_open": True,
                            "created": int(time.time()), "is_org_shared": False}}
    return {"channel": channel_json(emu, target.channel)}


def conversations_history(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    """Messages newest first, between `oldest` and `latest` (exclusive unless `inclusive`), paged."""
    target = find_target(emu, arg(args, "channel"), archived_ok=True)
    try:
        latest = float(arg(args, "latest") or "inf")
        oldest = float(arg(args, "oldest") or 0)
    except ValueError:
        raise ApiError("invalid_ts_latest") from None
    inclusive = flag(args.get("inclusive"))
    with_metadata = flag(args.get("include_all_metadata"))
    found = []
    for msg in reversed(emu.workspace.messages.get(target.key, [])):
        ts = float(msg.ts)
        if (oldest < ts < latest) or (inclusive and ts in (oldest, latest)):
            found.append(message_json(emu, msg))
            if with_metadata and msg.metadata:
                found[-1]["metadata"] = msg.metadata
    page, cursor = _page(found, args, default_limit=100)
    return {"messages": page, "has_more": bool(cursor), "pin_count": len(target.channel.pins) if target.channel else 0,
            "response_metadata": {"next_cursor": cursor}}


def conversations_members(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    target = find_target(emu, arg(args, "channel"), member=False, archived_ok=True)
    members = sorted(target.channel.members) if target.channel else [target.dm_user, emu.workspace.bot_user_id]
    page, cursor = _page(members, args, default_limit=100)
    return {"members": page, "response_metadata": {"next_cursor": cursor}}


def conversations_list(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    ws = emu.workspace
    types = set(id_list(args.get("types"))) or {"public_channel"}
    exclude_archived = flag(args.get("exclude_archived"))
    found = []
    for ch in ws.channels.values():
        wanted = "private_channel" if ch.is_private else "public_channel"
        if wanted not in types or (exclude_archived and ch.is_archived):
            continue
        if ch.is_private and ws.bot_user_id not in ch.members:  # invisible to the bot
            continue
        found.append(channel_json(emu, ch))
    page, cursor = _page(found, args, default_limit=100)
    return {"channels": page, "response_metadata": {"next_cursor": cursor}}


def conversations_rename(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel_only(emu, arg(args, "channel"))
    name = arg(args, "name")
    error = channel_name_error(name)
    if error:
        raise ApiError(error)
    assert name is not None
    other = emu.workspace.channel_by_name(name)
    if other is not None and other.id != ch.id:
        raise ApiError("name_taken")
    ch.name = name
    return {"channel": channel_json(emu, ch)}


def conversations_archive(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    ch = _channel_only(emu, arg(args, "channel"), archived_ok=True)
    if ch.is_archived:
        raise ApiError("already_archived")
    ch.is_archived = True
    return {}


def _set_text_field(emu: Emulator, args: dict[str, Any], field: str) -> Channel:
    value = args.get(field)
    if value is None:
        raise ApiError.missing(field)
    ch = _channel_only(emu, arg(args, "channel"))
    if len(str(value)) > MAX_TOPIC:
        raise ApiError("too_long")
    setattr(ch, field, str(value))
    return ch


def conversations_set_topic(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    return {"channel": channel_json(emu, _set_text_field(emu, args, "topic"))}


def conversations_set_purpose(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    _set_text_field(emu, args, "purpose")
    return {}  # Slack's documented answer is a bare {"ok": true}


def conversations_open(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    """Open (or find) the bot's DM with one user. Group DMs are not emulated."""
    users = id_list(args.get("users"))
    if not users and arg(args, "channel"):
        user = emu.dm_user(arg(args, "channel") or "")
        if user is None:
            raise ApiError("channel_not_found")
        users = [user]
    if not users:
        raise ApiError("users_list_not_supplied")
    if len(users) > 1:
        raise ApiError("not_implemented")  # multi-person DMs: not needed by the bot
    if users[0] not in emu.workspace.users or users[0] == emu.workspace.bot_user_id:
        raise ApiError("user_not_found")
    return {"channel": {"id": emu.dm_id(users[0]), "is_im": True, "user": users[0]}}


# -- people -------------------------------------------------------------------------------------
def users_info(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    user = emu.workspace.users.get(arg(args, "user") or "")
    if user is None:
        raise ApiError("user_not_found")
    return {"user": user_json(emu, user)}


def users_lookup_by_email(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    email = need(args, "email").strip().lower()
    user = next((u for u in emu.workspace.users.values() if (u.email or "").lower() == email), None)
    if user is None:
        raise ApiError("users_not_found")
    return {"user": user_json(emu, user)}


def usergroups_users_list(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    group = need(args, "usergroup")
    if group not in emu.usergroups:
        raise ApiError("no_such_subteam")
    return {"users": list(emu.usergroups[group])}


def auth_test(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    ws = emu.workspace
    return {"url": "https://emulated.slack.test/", "team": ws.team_name, "user": ws.users[ws.bot_user_id].name,
            "team_id": ws.team_id, "user_id": ws.bot_user_id, "bot_id": emu.bot_id, "is_enterprise_install": False}


METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "conversations.create": conversations_create,
    "conversations.invite": conversations_invite,
    "conversations.join": conversations_join,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.history": conversations_history,
    "conversations.members": conversations_members,
    "conversations.list": conversations_list,
    "conversations.rename": conversations_rename,
    "conversations.archive": conversations_archive,
    "conversations.setTopic": conversations_set_topic,
    "conversations.setPurpose": conversations_set_purpose,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
    "usergroups.users.list": usergroups_users_list,
}
