"""Emulated Web API methods that put things into conversations.

Owns chat.* (postMessage, postEphemeral, update, delete, getPermalink), pins.*,
reactions.add, bookmarks.add and the files upload v2 methods
(files.getUploadURLExternal, files.completeUploadExternal; the upload itself is
an HTTP route in server.py).
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.emulator.api_common import (
    ApiError,
    Emulator,
    Handler,
    Target,
    arg,
    file_json,
    find_message,
    find_target,
    id_list,
    message_json,
    need,
    post_message,
)
from bot.emulator.blockkit import message_rejection
from bot.emulator.state import Ephemeral

MAX_ATTACHMENTS = 100
PERMALINK_HOST = "https://emulated.slack.test"


def _content(args: dict[str, Any], *, required: bool = True) -> tuple[str | None, list[dict[str, Any]] | None]:
    """The text and blocks of a message, checked like Slack checks them."""
    text, blocks, attachments = args.get("text"), args.get("blocks"), args.get("attachments")
    markdown_text = args.get("markdown_text")
    if isinstance(blocks, str):  # the server could not JSON-decode it
        raise ApiError("invalid_blocks_format")
    if text is not None and markdown_text is not None:
        raise ApiError("markdown_text_conflict")
    if text is None and markdown_text is not None:
        text = markdown_text
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = str(text)
    if required and not text and not blocks and not attachments:
        raise ApiError("no_text")
    rejection = message_rejection(text, blocks)
    if rejection:
        raise ApiError.rejected(rejection)
    if attachments is not None:
        if not isinstance(attachments, list) or not all(isinstance(a, dict) for a in attachments):
            raise ApiError("invalid_attachments")
        if len(attachments) > MAX_ATTACHMENTS:
            raise ApiError("too_many_attachments")
    return text, blocks


# -- chat.* --------------------------------------------------------------------------------
def _metadata(raw: Any) -> dict[str, Any] | None:
    """Message metadata as Slack takes it: a JSON object (or its text) with event_type and event_payload."""
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ApiError("invalid_metadata_format") from None
    if (not isinstance(raw, dict) or not isinstance(raw.get("event_type"), str)
            or not isinstance(raw.get("event_payload"), dict)):
        raise ApiError("invalid_metadata_schema")
    return {"event_type": raw["event_type"], "event_payload": raw["event_payload"]}


def chat_post_message(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    target = find_target(emu, arg(args, "channel"), by_name=True)
    text, blocks = _content(args)
    metadata = _metadata(args.get("metadata"))
    msg = post_message(emu, target, text=text or "", blocks=blocks, thread_ts=arg(args, "thread_ts"))
    msg.metadata = metadata
    return {"channel": target.reply_id, "ts": msg.ts, "message": message_json(emu, msg)}


def chat_post_ephemeral(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    target = find_target(emu, arg(args, "channel"), by_name=True)
    user = arg(args, "user")
    visible = {target.dm_user} if target.channel is None else target.channel.members
    if not user or user not in visible:
        raise ApiError("user_not_in_channel")
    text, blocks = _content(args)
    emu.workspace.ephemerals.append(Ephemeral(target.key, user, text or "", list(blocks or []), via="api"))
    return {"message_ts": emu.workspace.new_ts()}


def chat_update(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    # Updating needs no membership: the bot may edit its own messages after leaving.
    target = find_target(emu, arg(args, "channel"), member=False, archived_ok=True)
    msg = find_message(emu, target, arg(args, "ts"))
    if msg.user != emu.workspace.bot_user_id:
        raise ApiError("cant_update_message")
    text, blocks = _content(args)
    # Slack keeps what the update leaves out: blocks stay unless `blocks` is sent ([] clears them).
    if text is not None:
        msg.text = text
    if blocks is not None:
        msg.blocks = list(blocks)
    msg.edited = True
    return {"channel": target.reply_id, "ts": msg.ts, "text": msg.text, "message": message_json(emu, msg)}


def chat_delete(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    target = find_target(emu, arg(args, "channel"), member=False, archived_ok=True)
    msg = find_message(emu, target, arg(args, "ts"))
    if msg.user != emu.workspace.bot_user_id:
        raise ApiError("cant_delete_message")
    emu.workspace.messages[target.key].remove(msg)
    if target.channel is not None and msg.ts in target.channel.pins:
        target.channel.pins.remove(msg.ts)
    emu.reactions.pop((target.key, msg.ts), None)
    return {"channel": target.reply_id, "ts": msg.ts}


def chat_get_permalink(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    target = find_target(emu, arg(args, "channel"), member=False, archived_ok=True)
    msg = find_message(emu, target, arg(args, "message_ts"))
    link = f"{PERMALINK_HOST}/archives/{target.reply_id}/p{msg.ts.replace('.', '')}"
    if msg.thread_ts and msg.thread_ts != msg.ts:
        link += f"?thread_ts={msg.thread_ts}&cid={target.reply_id}"
    return {"channel": target.reply_id, "permalink": link}


# -- pins, reactions, bookmarks --------------------------------------------------------------
def _pinnable(emu: Emulator, args: dict[str, Any]) -> tuple[Target, str]:
    target = find_target(emu, arg(args, "channel"), archived_ok=True)
    ts = arg(args, "timestamp")
    if not ts:
        raise ApiError("no_item_specified")
    if target.channel is None:
        raise ApiError("not_pinnable")
    find_message(emu, target, ts)
    return target, ts


def pins_add(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    target, ts = _pinnable(emu, args)
    assert target.channel is not None
    if ts in target.channel.pins:
        raise ApiError("already_pinned")
    target.channel.pins.append(ts)
    return {}


def pins_remove(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    target, ts = _pinnable(emu, args)
    assert target.channel is not None
    if ts not in target.channel.pins:
        raise ApiError("no_pin")
    target.channel.pins.remove(ts)
    return {}


def reactions_add(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    target = find_target(emu, arg(args, "channel"), member=False)
    name = (arg(args, "name") or "").strip(":")
    if not name or any(c.isspace() for c in name):
        raise ApiError("invalid_name")
    ts = arg(args, "timestamp")
    if not ts:
        raise ApiError("no_item_specified")
    find_message(emu, target, ts)
    users = emu.reactions.get((target.key, ts), {}).get(name, [])
    if emu.workspace.bot_user_id in users:
        raise ApiError("already_reacted")
    emu.reactions.setdefault((target.key, ts), {}).setdefault(name, []).append(emu.workspace.bot_user_id)
    return {}


def bookmarks_add(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    target = find_target(emu, arg(args, "channel_id"), member=False)
    if target.channel is None:
        raise ApiError("channel_not_found")
    title = need(args, "title")
    btype = need(args, "type")
    if btype != "link":
        raise ApiError("invalid_bookmark_type")
    link = arg(args, "link") or ""
    if not link.startswith(("http://", "https://")):
        raise ApiError("invalid_link")
    bookmark = {
        "id": emu.workspace.new_id("Bk"), "channel_id": target.channel.id, "title": title, "link": link,
        "emoji": arg(args, "emoji"), "icon_url": None, "type": "link", "entity_id": None,
        "date_created": int(time.time()), "date_updated": 0, "rank": "",
        "last_updated_by_user_id": emu.workspace.bot_user_id, "last_updated_by_team_id": emu.workspace.team_id,
        "shortcut_id": None, "app_id": emu.app_id,
    }
    target.channel.bookmarks.append(bookmark)
    return {"bookmark": bookmark}


# -- files (upload v2) ---------------------------------------------------------------------------
def files_get_upload_url_external(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    filename = arg(args, "filename")
    if not filename:
        raise ApiError("missing_argument")
    try:
        length = int(arg(args, "length") or 0)
    except ValueError:
        raise ApiError.missing("length") from None
    if length <= 0:
        raise ApiError("missing_argument")
    file_id = emu.open_upload(filename, length)
    return {"upload_url": f"{emu.base_url}/upload/{file_id}", "file_id": file_id}


def files_complete_upload_external(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    items = args.get("files")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) and i.get("id") for i in items):
        raise ApiError.missing("files")
    for item in items:
        upload = emu.uploads.get(str(item["id"]))
        if upload is None or not upload.received:
            raise ApiError("file_not_found")
    channel_ids = [arg(args, "channel_id")] if arg(args, "channel_id") else id_list(args.get("channels"))
    targets = [find_target(emu, cid) for cid in channel_ids]
    comment, blocks = _content({"text": args.get("initial_comment"), "blocks": args.get("blocks")}, required=False)
    ids = []
    for item in items:
        file = emu.uploads.pop(str(item["id"])).file
        file.title = str(item.get("title") or file.filename)
        file.channels = [t.reply_id for t in targets]
        emu.workspace.files[file.id] = file
        ids.append(file.id)
    for target in targets:
        post_message(emu, target, text=comment or "", blocks=blocks, thread_ts=arg(args, "thread_ts"), files=ids)
    return {"files": [file_json(emu, fid) for fid in ids]}


METHODS: dict[str, Handler] = {
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
    "pins.add": pins_add,
    "pins.remove": pins_remove,
    "reactions.add": reactions_add,
    "bookmarks.add": bookmarks_add,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}
