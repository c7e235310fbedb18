"""Block Kit and mrkdwn as plain, readable text.

Owns how the emulator shows what a person would see in Slack: messages, ephemerals,
modals and whole channels, for the terminal demo and for test assertions. Output is
deterministic (no colours, no clock), one element per line where it matters, and
lines are wrapped at 100 characters.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from bot.emulator.state import Channel, Ephemeral, Message, User, View, Workspace

WIDTH = 100
RULE = "—" * 20

Users = Mapping[str, User] | None
Channels = Mapping[str, Channel] | None

_TOKEN = re.compile(r"<([^<>\n]+)>")


# -- mrkdwn ----------------------------------------------------------------------
def _user_name(uid: str, label: str | None, users: Users) -> str:
    if users and uid in users:
        return users[uid].name
    return (label or uid).lstrip("@")


def _channel_name(cid: str, label: str | None, channels: Channels) -> str:
    if channels and cid in channels:
        return channels[cid].name
    return (label or cid).lstrip("#")


def _unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mrkdwn_to_text(s: str, users: Users = None, channels: Channels = None) -> str:
    """Slack's mrkdwn with mentions, links and dates made readable; *bold* and _italic_ are kept."""

    def token(m: re.Match[str]) -> str:
        inner = m.group(1)
        target, _, label = inner.partition("|")
        label_or_none = label or None
        if target.startswith("@"):
            return "@" + _user_name(target[1:], label_or_none, users)
        if target.startswith("#"):
            return "#" + _channel_name(target[1:], label_or_none, channels)
        if target.startswith("!"):
            special = target[1:]
            if special in ("channel", "here", "everyone"):
                return "@" + special
            if special.startswith("subteam^"):
                return label or "@" + special.split("^", 1)[1]
            if special.startswith("date^"):
                return label or special.split("^")[1]
            return label or "@" + special
        url = target
        if not label:
            return url.removeprefix("mailto:")
        if label in (url, url.removeprefix("mailto:")):
            return label
        return f"{label} ({url})"

    return _unescape(_TOKEN.sub(token, s or ""))


# -- elements --------------------------------------------------------------------
def _text(obj: Any, users: Users = None, channels: Channels = None) -> str:
    """A text object (plain_text or mrkdwn), or a bare string, as text."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    text = str(obj.get("text", ""))
    return mrkdwn_to_text(text, users, channels) if obj.get("type") == "mrkdwn" else text


def _option_text(opt: Mapping[str, Any] | None) -> str:
    return _text(opt.get("text")) if opt else ""


def _options(el: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    opts = list(el.get("options") or [])
    for group in el.get("option_groups") or []:
        opts.extend(group.get("options") or [])
    return opts


def _box(kind: str, current: str, *, menu: bool = False) -> str:
    arrow = " ▾" if menu else ""
    return f"[{kind}: {current}{arrow}]" if current else f"[{kind}{arrow}]"


def render_element(el: Mapping[str, Any], users: Users = None, channels: Channels = None) -> str:
    """One interactive element in brackets, showing its current (initial) value."""
    t = el.get("type", "")
    placeholder = _text(el.get("placeholder"))
    if t == "button":
        return f"[{_text(el.get('text'))}]"
    if t == "workflow_button":
        return f"[▶ {_text(el.get('text'))}]"
    if t == "overflow":
        return "[⋯ " + " | ".join(_option_text(o) for o in _options(el)) + "]"
    if t in ("static_select", "external_select"):
        return _box(placeholder or "select", _option_text(el.get("initial_option")), menu=True)
    if t in ("multi_static_select", "multi_external_select"):
        current = ", ".join(_option_text(o) for o in el.get("initial_options") or [])
        return _box(placeholder or "select", current, menu=True)
    if t == "users_select":
        uid = el.get("initial_user")
        return _box(placeholder or "user", "@" + _user_name(uid, None, users) if uid else "", menu=True)
    if t == "multi_users_select":
        current = ", ".join("@" + _user_name(u, None, users) for u in el.get("initial_users") or [])
        return _box(placeholder or "users", current, menu=True)
    if t in ("conversations_select", "channels_select"):
        cid = el.get("initial_conversation") or el.get("initial_channel")
        return _box(placeholder or "channel", "#" + _channel_name(cid, None, channels) if cid else "", menu=True)
    if t in ("multi_conversations_select", "multi_channels_select"):
        ids = el.get("initial_conversations") or el.get("initial_channels") or []
        return _box(placeholder or "channels", ", ".join("#" + _channel_name(c, None, channels) for c in ids),
                    menu=True)
    if t == "datepicker":
        return _box("date", el.get("initial_date") or placeholder)
    if t == "timepicker":
        return _box("time", el.get("initial_time") or placeholder)
    if t == "datetimepicker":
        return _box("date-time", str(el.get("initial_date_time") or ""))
    if t == "checkboxes":
        chosen = {o.get("value") for o in el.get("initial_options") or []}
        # "[_]" rather than "[ ]": line wrapping must never split a box from itself
        return "  ".join(("[x] " if o.get("value") in chosen else "[_] ") + _option_text(o) for o in _options(el))
    if t == "radio_buttons":
        chosen_value = (el.get("initial_option") or {}).get("value")
        return "  ".join(("(•) " if o.get("value") == chosen_value else "( ) ") + _option_text(o)
                         for o in _options(el))
    if t in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        kind = {"plain_text_input": "long text" if el.get("multiline") else "text", "email_text_input": "email",
                "url_text_input": "url", "number_input": "number"}[t]
        init = el.get("initial_value")
        return _box(kind, f'"{init}"' if init not in (None, "") else (f"({placeholder})" if placeholder else ""))
    if t == "rich_text_input":
        init = el.get("initial_value")
        return _box("rich text", f'"{_rich_text(init, users, channels)}"' if init else "")
    if t == "file_input":
        return "[file upload]"
    if t == "image":
        return f"[image: {el.get('alt_text', '')}]"
    return f"[{t}]"


# -- rich text -------------------------------------------------------------------
def _rich_inline(el: Mapping[str, Any], users: Users, channels: Channels) -> str:
    t = el.get("type")
    if t == "text":
        s = str(el.get("text", ""))
        style = el.get("style") or {}
        core = s.strip()
        if not core or not style:
            return s
        # markers hug the words, as Slack's own mrkdwn does: " *now*", not "* now*"
        lead, trail = s[: len(s) - len(s.lstrip())], s[len(s.rstrip()):]
        s = core
        if style.get("code"):
            s = f"`{s}`"
        if style.get("bold"):
            s = f"*{s}*"
        if style.get("italic"):
            s = f"_{s}_"
        if style.get("strike"):
            s = f"~{s}~"
        return lead + s + trail
    if t == "link":
        url, label = str(el.get("url", "")), el.get("text")
        return f"{label} ({url})" if label and label != url else url
    if t == "user":
        return "@" + _user_name(str(el.get("user_id", "")), None, users)
    if t == "channel":
        return "#" + _channel_name(str(el.get("channel_id", "")), None, channels)
    if t == "usergroup":
        return "@" + str(el.get("usergroup_id", ""))
    if t == "broadcast":
        return "@" + str(el.get("range", "here"))
    if t == "emoji":
        return f":{el.get('name', '')}:"
    if t == "date":
        return str(el.get("fallback") or el.get("timestamp", ""))
    return str(el.get("text", ""))


def _rich_text(block: Mapping[str, Any] | None, users: Users = None, channels: Channels = None) -> str:
    if not block:
        return ""
    lines: list[str] = []
    for part in block.get("elements") or []:
        t = part.get("type")
        if t == "rich_text_section":
            lines.extend("".join(_rich_inline(e, users, channels) for e in part.get("elements") or []).split("\n"))
        elif t == "rich_text_list":
            pad = "  " * int(part.get("indent", 0))
            for n, item in enumerate(part.get("elements") or [], 1):
                bullet = f"{n}. " if part.get("style") == "ordered" else "• "
                text = "".join(_rich_inline(e, users, channels) for e in item.get("elements") or [])
                lines.append(pad + bullet + text)
        elif t == "rich_text_preformatted":
            lines.append("```")
            lines.extend("".join(_rich_inline(e, users, channels) for e in part.get("elements") or []).split("\n"))
            lines.append("```")
        elif t == "rich_text_quote":
            text = "".join(_rich_inline(e, users, channels) for e in part.get("elements") or [])
            lines.extend("> " + line for line in text.split("\n"))
    return "\n".join(lines).strip("\n")


# -- blocks ----------------------------------------------------------------------
# "*Label*\nvalue", "*Label:* value" or "*Label*: value"
_FIELD = re.compile(r"^\*([^*\n]+?)(?:\*[ \t]*\n|:\*[ \t]*|\*:[ \t]*)(.*)$", re.S)


def _field(obj: Any, users: Users, channels: Channels) -> str:
    """A section field; "*Label*\\nvalue" (Slack's usual two-line field) becomes "Label: value"."""
    raw = obj.get("text", "") if isinstance(obj, Mapping) else str(obj)
    if isinstance(obj, Mapping) and obj.get("type") == "mrkdwn":
        m = _FIELD.match(raw)
        if m:
            label = mrkdwn_to_text(m.group(1).strip(), users, channels)
            value = mrkdwn_to_text(m.group(2).strip(), users, channels)
            return f"{label}: {' / '.join(value.splitlines())}"
    return " / ".join(_text(obj, users, channels).splitlines())


def _block_lines(block: Mapping[str, Any], users: Users, channels: Channels,
                 errors: Mapping[str, str]) -> list[str]:
    t = block.get("type")
    if t == "header":
        title = _text(block.get("text"), users, channels)
        return [title, "=" * min(len(title), WIDTH)]
    if t == "divider":
        return [RULE]
    if t == "section":
        lines = _text(block.get("text"), users, channels).split("\n") if block.get("text") else []
        lines.extend(_field(f, users, channels) for f in block.get("fields") or [])
        acc = block.get("accessory")
        if acc:
            summary = render_element(acc, users, channels)
            if lines and len(lines[0]) + len(summary) + 2 <= WIDTH:
                lines[0] = f"{lines[0]}  {summary}"
            else:
                lines.append(summary)
        return lines
    if t == "context":
        parts = []
        for el in block.get("elements") or []:
            parts.append(f"[{el.get('alt_text', 'image')}]" if el.get("type") == "image"
                         else " ".join(_text(el, users, channels).splitlines()))
        return ["· " + " · ".join(p for p in parts if p)]
    if t == "actions":
        return [" ".join(render_element(el, users, channels) for el in block.get("elements") or [])]
    if t == "input":
        el = block.get("element") or {}
        label = _text(block.get("label"), users, channels)
        if block.get("optional"):
            label += " (optional)"
        lines = [f"{label}: {render_element(el, users, channels)}"]
        if el.get("type") in ("static_select", "multi_static_select"):
            lines.append("    options: " + " | ".join(_option_text(o) for o in _options(el)))
        if block.get("hint"):
            lines.append("    hint: " + _text(block.get("hint"), users, channels))
        error = errors.get(str(block.get("block_id")))
        if error:
            lines.append(f"    ! {error}")
        return lines
    if t == "rich_text":
        return _rich_text(block, users, channels).split("\n")
    if t == "image":
        title = _text(block.get("title"))
        return [f"[image: {title or block.get('alt_text', '')}]"]
    if t == "markdown":
        return str(block.get("text", "")).split("\n")
    if t == "file":
        return [f"[file: {block.get('external_id', '')}]"]
    if t == "video":
        return [f"[video: {_text(block.get('title'))}]"]
    return [f"[{t} block]"]


def _wrap(lines: Iterable[str], width: int = WIDTH) -> str:
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        out.extend(textwrap.wrap(line.strip(), width, initial_indent=lead, subsequent_indent=lead,
                                 break_long_words=False, break_on_hyphens=False) or [lead])
    return "\n".join(out)


def _indent(text: str, pad: str) -> list[str]:
    return [pad + line if line else line for line in text.split("\n")]


def render_blocks(blocks: list[dict[str, Any]], users: Users = None, channels: Channels = None, *,
                  errors: Mapping[str, str] | None = None) -> str:
    """Blocks top to bottom; `errors` ({block_id: message}) are shown under their inputs."""
    lines: list[str] = []
    for block in blocks:
        lines.extend(_block_lines(block, users, channels, errors or {}))
    return _wrap(lines)


def render_view(view: Mapping[str, Any] | View, users: Users = None, channels: Channels = None, *,
                errors: Mapping[str, str] | None = None) -> str:
    """A modal (or Home tab): title, blocks with inputs and their options, then its buttons."""
    if isinstance(view, View):
        errors = view.errors if errors is None else errors
        view = view.view
    title = _text(view.get("title")) or ("Home" if view.get("type") == "home" else "Modal")
    lines = [f"┌ {title} ┐"]
    body = render_blocks(view.get("blocks") or [], users, channels, errors=errors)
    if body:
        lines.extend(body.split("\n"))
    if view.get("type", "modal") == "modal":
        buttons = [f"[{_text(view.get('close')) or ('Cancel' if view.get('submit') else 'Close')}]"]
        if view.get("submit"):
            buttons.append(f"[{_text(view.get('submit'))}]")
        lines.append("└ " + " ".join(buttons))
    return _wrap(lines)


# -- messages and channels -------------------------------------------------------
def _author(user_id: str, users: Users) -> str:
    return _user_name(user_id, None, users)


def _message_body(text: str, blocks: list[dict[str, Any]], users: Users, channels: Channels) -> str:
    # With blocks, Slack shows the blocks; text is only the notification fallback.
    if blocks:
        return render_blocks(blocks, users, channels)
    return mrkdwn_to_text(text, users, channels)


def render_message(msg: Message, users: Users = None, channels: Channels = None) -> str:
    """`author: text`, or `author:` and the blocks indented under it."""
    body = _message_body(msg.text, msg.blocks, users, channels)
    head = f"{_author(msg.user, users)}:"
    suffix = " (edited)" if msg.edited else ""
    files = [f"  [file {f}]" for f in msg.files]
    if msg.blocks or "\n" in body:
        return _wrap([head + suffix, *_indent(body, "  "), *files])
    return _wrap([f"{head} {body}{suffix}", *files])


def render_ephemeral(eph: Ephemeral, users: Users = None, channels: Channels = None) -> str:
    """An ephemeral message, marked with who alone sees it."""
    as_message = Message(eph.channel, "", "", eph.text, eph.blocks)
    body = render_message(as_message, users, channels).split(":", 1)[1].lstrip(" ")
    who = "@" + _user_name(eph.user, None, users)
    head = f"(only {who} sees this)"
    return _wrap([head, *_indent(body, "  ")] if eph.blocks or "\n" in body else [f"{head} {body}"])


def render_channel(ws: Workspace, channel: str, *, since: int = 0) -> str:
    """A channel as a person scrolling it sees it: header, pins, bookmarks, then messages.

    `since` skips the first `since` messages (a count, so a demo can print only what is
    new). Thread replies are shown indented under their parent.
    """
    ch = ws.channel(channel)
    users, channels = ws.users, ws.channels
    if ch is None:
        head = f"@{_user_name(channel, None, users)} (direct message)"
    else:
        head = f"#{ch.name}" + (" (private)" if ch.is_private else "") + (" (archived)" if ch.is_archived else "")
        if ch.topic:
            head += f" — topic: {mrkdwn_to_text(ch.topic, users, channels)}"
    lines = [head]
    messages = ws.messages_in(channel)
    if ch is not None:
        if ch.purpose:
            lines.append(f"  purpose: {mrkdwn_to_text(ch.purpose, users, channels)}")
        for ts in ch.pins:
            pinned = next((m for m in messages if m.ts == ts), None)
            if pinned is not None:
                body = _message_body(pinned.text, pinned.blocks, users, channels).strip().split("\n")[0]
                lines.append(f"  [pinned] {_author(pinned.user, users)}: {body}")
        for mark in ch.bookmarks:
            link = mark.get("link", "")
            lines.append(f"  [bookmark] {mark.get('title', link)}" + (f" ({link})" if link else ""))
    window = messages[since:]
    replies: dict[str, list[Message]] = {}
    parents = {m.ts for m in window if not m.thread_ts or m.thread_ts == m.ts}
    for m in window:
        if m.thread_ts and m.thread_ts != m.ts and m.thread_ts in parents:
            replies.setdefault(m.thread_ts, []).append(m)
    for m in window:
        is_reply = bool(m.thread_ts and m.thread_ts != m.ts)
        if is_reply and m.thread_ts in parents:
            continue  # shown under its parent
        pad = "    ↳ " if is_reply else "  "
        rendered = render_message(m, users, channels).split("\n")
        lines.append(pad + rendered[0])
        lines.extend(" " * len(pad) + line for line in rendered[1:])
        for r in replies.get(m.ts, []):
            sub = render_message(r, users, channels).split("\n")
            lines.append("    ↳ " + sub[0])
            lines.extend("      " + line for line in sub[1:])
    return _wrap(lines)
