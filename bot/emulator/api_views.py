"""Emulated views.* methods: modals (open, push, update) and the Home tab (publish).

A user has one modal stack (root + at most 2 pushed views); views.open starts a new
stack. Opening or pushing spends a trigger_id issued by Emulator.new_trigger_id.
Views are checked with blockkit.view_rejection before anything is stored.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from bot.emulator.api_common import ApiError, Emulator, Handler, arg
from bot.emulator.blockkit import view_rejection
from bot.emulator.state import View

MAX_STACK = 3  # root + 2 pushed views


def _new_hash() -> str:
    return f"{int(time.time())}.{secrets.token_hex(4)}"


def _view_arg(args: dict[str, Any], expect_type: str | None) -> dict[str, Any]:
    view = args.get("view")
    if view is None:
        raise ApiError.missing("view")
    if isinstance(view, str):  # the server could not JSON-decode it
        raise ApiError("invalid_arguments",
                       response_metadata={"messages": ["[ERROR] could not parse view JSON [json-pointer:/view]"]})
    rejection = view_rejection(view, expect_type=expect_type)
    if rejection:
        raise ApiError.rejected(rejection)
    return view


def _trigger(emu: Emulator, args: dict[str, Any]) -> tuple[str, str]:
    """The trigger_id (or interactivity_pointer) and its user; not spent until the call succeeds."""
    trigger_id = arg(args, "trigger_id") or arg(args, "interactivity_pointer")
    if not trigger_id:
        raise ApiError.missing("trigger_id")
    return trigger_id, emu.trigger_user(trigger_id)


def _check_external_id(emu: Emulator, view: dict[str, Any], own_id: str | None = None) -> None:
    ext = view.get("external_id")
    if ext and any(v.external_id == ext and v.id != own_id for v in emu.workspace.views.values()):
        raise ApiError("duplicate_external_id")


def view_json(emu: Emulator, v: View) -> dict[str, Any]:
    """The view as Slack echoes it: what the app sent plus ids, hash and an empty state."""
    out: dict[str, Any] = {
        "type": v.type, "title": None, "close": None, "submit": None, "blocks": [], "private_metadata": "",
        "callback_id": "", "clear_on_close": False, "notify_on_close": False,
    }
    out.update(v.view)
    out.update({
        "id": v.id, "team_id": emu.workspace.team_id, "external_id": v.external_id or "",
        "state": {"values": {}}, "hash": v.hash, "root_view_id": v.root_view_id,
        "previous_view_id": v.previous_view_id, "app_id": emu.app_id, "bot_id": emu.bot_id,
        "app_installed_team_id": emu.workspace.team_id,
    })
    return out


def views_open(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    ws = emu.workspace
    view = _view_arg(args, "modal")
    trigger_id, user = _trigger(emu, args)
    _check_external_id(emu, view)
    emu.spend_trigger(trigger_id)
    # A user sees one modal stack: opening a new root replaces whatever was open.
    for old in [v.id for v in ws.views.values() if v.user == user and v.type == "modal"]:
        del ws.views[old]
    vid = ws.new_id("V")
    ws.views[vid] = View(vid, "modal", user, view, _new_hash(), root_view_id=vid,
                         external_id=view.get("external_id") or None)
    return {"view": view_json(emu, ws.views[vid])}


def views_push(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    ws = emu.workspace
    view = _view_arg(args, "modal")
    trigger_id, user = _trigger(emu, args)
    top = ws.open_modal(user)
    if top is None:
        raise ApiError("not_found")
    depth = sum(1 for v in ws.views.values() if v.type == "modal" and v.root_view_id == top.root_view_id)
    if depth >= MAX_STACK:
        raise ApiError("push_limit_reached")
    _check_external_id(emu, view)
    emu.spend_trigger(trigger_id)
    vid = ws.new_id("V")
    ws.views[vid] = View(vid, "modal", user, view, _new_hash(), root_view_id=top.root_view_id,
                         previous_view_id=top.id, external_id=view.get("external_id") or None)
    return {"view": view_json(emu, ws.views[vid])}


def views_update(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    ws = emu.workspace
    view_id, external_id = arg(args, "view_id"), arg(args, "external_id")
    if bool(view_id) == bool(external_id):
        raise ApiError("invalid_arguments", response_metadata={
            "messages": ["[ERROR] exactly one of view_id or external_id is required"]})
    view = _view_arg(args, None)
    existing = (ws.views.get(view_id) if view_id
                else next((v for v in ws.views.values() if v.external_id == external_id), None))
    if existing is None:
        raise ApiError("not_found")
    if view.get("type") != existing.type:
        raise ApiError("invalid_arguments", response_metadata={
            "messages": [f"[ERROR] must be {existing.type} [json-pointer:/view/type]"]})
    sent_hash = arg(args, "hash")
    if sent_hash and sent_hash != existing.hash:
        raise ApiError("hash_conflict")
    _check_external_id(emu, view, own_id=existing.id)
    existing.view = view
    existing.hash = _new_hash()
    existing.external_id = view.get("external_id") or existing.external_id
    return {"view": view_json(emu, existing)}


def views_publish(emu: Emulator, args: dict[str, Any]) -> dict[str, Any]:
    ws = emu.workspace
    user = arg(args, "user_id")
    if not user or user not in ws.users:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["invalid `user_id`"]})
    view = _view_arg(args, "home")
    home = next((v for v in ws.views.values() if v.user == user and v.type == "home"), None)
    sent_hash = arg(args, "hash")
    if sent_hash and home is not None and sent_hash != home.hash:
        raise ApiError("hash_conflict")
    _check_external_id(emu, view, own_id=home.id if home else None)
    if home is None:
        vid = ws.new_id("V")
        home = ws.views[vid] = View(vid, "home", user, view, _new_hash(), root_view_id=vid)
    else:
        home.view, home.hash = view, _new_hash()
    home.external_id = view.get("external_id") or home.external_id
    return {"view": view_json(emu, home)}


METHODS: dict[str, Handler] = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
