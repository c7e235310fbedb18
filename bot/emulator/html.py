"""Block Kit messages as HTML that looks like Slack, for pictures of what people see (scripts/screenshots.py
captures these pages with headless Chromium into docs/*.png). Deterministic: the same message gives the same
page. Not a full Block Kit renderer: the blocks the bot sends, drawn the way Slack draws them."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from bot.emulator.render import Channels, Users, _channel_name, _rich_text, _user_name
from bot.emulator.state import Message

_TOKEN = re.compile(r"<([^<>\n]+)>")
_EMOJI = {"rotating_light": "🚨", "pushpin": "📌", "white_check_mark": "✅", "warning": "⚠️", "red_circle": "🔴",
          "large_orange_circle": "🟠", "large_yellow_circle": "🟡", "large_blue_circle": "🔵", "clock1": "🕐",
          "memo": "📝", "bell": "🔔", "hourglass": "⌛", "busts_in_silhouette": "👥", "x": "❌",
          "heavy_check_mark": "✔️", "mag": "🔍", "chart_with_upwards_trend": "📈", "arrow_up": "⬆️",
          "arrow_down": "⬇️", "loudspeaker": "📢", "link": "🔗", "sos": "🆘", "fire": "🔥", "test_tube": "🧪",
          "lock": "🔒", "raised_hand": "✋", "handshake": "🤝", "eyes": "👀", "mega": "📣", "page_facing_up": "📄",
          "speech_balloon": "💬", "calendar": "📆", "hammer_and_wrench": "🛠️", "green_heart": "💚",
          "bust_in_silhouette": "👤", "tada": "🎉", "spiral_note_pad": "🗒️", "scales": "⚖️", "alarm_clock": "⏰",
          "zzz": "💤", "white_circle": "⚪", "twisted_rightwards_arrows": "🔀", "toolbox": "🧰",
          "speaking_head_in_silhouette": "🗣️", "scissors": "✂️", "repeat": "🔁", "office": "🏢", "no_bell": "🔕",
          "mute": "🔇"}

CSS = """
body{margin:0;background:#fff;font:15px/1.46668 -apple-system,BlinkMacSystemFont,"Segoe UI",Lato,Roboto,
"Helvetica Neue",Arial,sans-serif;color:#1d1c1d}
.msg{display:flex;gap:8px;padding:12px 20px;width:640px}
.avatar{width:36px;height:36px;border-radius:6px;background:#8a1c1c;color:#fff;font-weight:700;display:flex;
align-items:center;justify-content:center;flex:none}
.who{font-weight:900}.app{font-size:10px;background:#e8e8e8;color:#616061;border-radius:3px;padding:1px 3px;
margin-left:4px;vertical-align:2px;font-weight:700}.when{color:#616061;font-size:12px;margin-left:6px}
.body{flex:1;min-width:0}.block{margin:4px 0}
.header{font-size:18px;font-weight:900;margin:6px 0}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px;margin:6px 0}
.context{color:#616061;font-size:13px}.divider{border-top:1px solid #e0e0e0;margin:10px 0}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.btn{border:1px solid #bbb;border-radius:4px;padding:3px 12px;font-weight:700;font-size:14px;background:#fff}
.btn.primary{background:#007a5a;border-color:#007a5a;color:#fff}.btn.danger{background:#e01e5a;
border-color:#e01e5a;color:#fff}.select{border:1px solid #bbb;border-radius:4px;padding:3px 10px;font-size:14px}
.select:after{content:" ▾"}.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
code{font:12px Monaco,Menlo,Consolas,monospace;background:#f6f6f6;border:1px solid #ddd;border-radius:3px;
color:#e01e5a;padding:1px 3px}pre{font:12px Monaco,Menlo,monospace;background:#f8f8f8;border:1px solid #ddd;
border-radius:4px;padding:8px;white-space:pre-wrap}blockquote{margin:0;border-left:4px solid #ddd;padding-left:10px}
a{color:#1264a3;text-decoration:none}.accessory{float:right;margin-left:12px}
.rich{white-space:pre-wrap}
"""


def mrkdwn_html(text: str, users: Users = None, channels: Channels = None) -> str:
    """Slack's mrkdwn as HTML: mentions, links, *bold*, _italic_, ~strike~, `code`, ``` blocks, > quotes."""
    spans: list[str] = []

    def token(m: re.Match[str]) -> str:
        target, _, label = m.group(1).partition("|")
        if target.startswith("@"):
            out = f'<span class="mention">@{html.escape(_user_name(target[1:], label or None, users))}</span>'
        elif target.startswith("#"):
            out = f'<span class="mention">#{html.escape(_channel_name(target[1:], label or None, channels))}</span>'
        elif target.startswith("!"):
            special = target[1:]
            shown = label or "@" + (special.split("^", 1)[1] if special.startswith("subteam^") else special)
            if special.startswith("date^"):
                shown = label or special.split("^")[1]
            out = f'<span class="mention">{html.escape(shown)}</span>'
        else:
            out = f'<a href="{html.escape(target)}">{html.escape(label or target.removeprefix("mailto:"))}</a>'
        spans.append(out)
        return f"\x00{len(spans) - 1}\x00"

    s = _TOKEN.sub(token, text or "")
    s = html.escape(html.unescape(s), quote=False)
    s = re.sub(r"```(.+?)```", lambda m: f"<pre>{m.group(1).strip()}</pre>", s, flags=re.S)
    s = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", s)
    s = re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])", r"<b>\1</b>", s)
    s = re.sub(r"(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])", r"<i>\1</i>", s)
    s = re.sub(r"(?<![\w~])~(?!\s)([^~\n]+?)~(?![\w~])", r"<s>\1</s>", s)
    s = re.sub(r":([a-z0-9_+-]+):", lambda m: _EMOJI.get(m.group(1), m.group(0)), s)
    s = "\n".join(f"<blockquote>{line[5:]}</blockquote>" if line.startswith("&gt; ") else line
                  for line in s.split("\n"))
    s = s.replace("\n", "<br>").replace("</blockquote><br>", "</blockquote>")
    return re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], s)


def _text(obj: Any, users: Users, channels: Channels) -> str:
    if obj is None:
        return ""
    if isinstance(obj, str):
        return mrkdwn_html(obj, users, channels)
    raw = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn_html(raw, users, channels)
    return re.sub(r":([a-z0-9_+-]+):", lambda m: _EMOJI.get(m.group(1), m.group(0)), html.escape(raw))


def _element(el: Mapping[str, Any], users: Users, channels: Channels) -> str:
    t = el.get("type")
    if t == "button":
        style = el.get("style", "")
        return f'<span class="btn {html.escape(style)}">{_text(el.get("text"), users, channels)}</span>'
    if t in ("static_select", "external_select", "users_select", "conversations_select", "channels_select",
             "overflow", "multi_static_select", "multi_users_select"):
        if t == "overflow":
            return '<span class="btn">⋯</span>'
        chosen = el.get("initial_option") or {}
        shown = _text(chosen.get("text"), users, channels) if chosen else _text(el.get("placeholder"), users, channels)
        if t.endswith("users_select") and el.get("initial_user"):
            shown = "@" + html.escape(_user_name(str(el["initial_user"]), None, users))
        return f'<span class="select">{shown or "Select"}</span>'
    if t == "image":
        return f'<span class="context">[{html.escape(str(el.get("alt_text", "image")))}]</span>'
    if t in ("mrkdwn", "plain_text"):
        return _text(el, users, channels)
    return html.escape(str(el.get("text", "")))


def block_html(block: Mapping[str, Any], users: Users = None, channels: Channels = None) -> str:
    t = block.get("type")
    if t == "header":
        return f'<div class="header">{_text(block.get("text"), users, channels)}</div>'
    if t == "divider":
        return '<div class="divider"></div>'
    if t == "section":
        parts = []
        if block.get("accessory"):
            parts.append(f'<span class="accessory">{_element(block["accessory"], users, channels)}</span>')
        if block.get("text"):
            parts.append(f"<div>{_text(block.get('text'), users, channels)}</div>")
        if block.get("fields"):
            cells = "".join(f"<div>{_text(f, users, channels)}</div>" for f in block["fields"])
            parts.append(f'<div class="fields">{cells}</div>')
        return f'<div class="block section">{"".join(parts)}</div>'
    if t == "context":
        inner = " ".join(_element(e, users, channels) for e in block.get("elements") or [])
        return f'<div class="block context">{inner}</div>'
    if t == "actions":
        inner = "".join(_element(e, users, channels) for e in block.get("elements") or [])
        return f'<div class="actions">{inner}</div>'
    if t == "rich_text":
        return f'<div class="block rich">{mrkdwn_html(_rich_text(block, users, channels), users, channels)}</div>'
    if t == "image":
        return f'<div class="block context">[{html.escape(str(block.get("alt_text", "image")))}]</div>'
    if t == "input":
        label = _text(block.get("label"), users, channels)
        return f'<div class="block"><b>{label}</b><br>{_element(block.get("element") or {}, users, channels)}</div>'
    return ""


def message_html(msg: Message, users: Users = None, channels: Channels = None, *, title: str = "",
                 author: str = "incident-bot", when: str = "") -> str:
    """A whole page showing one message, as it looks in a Slack channel."""
    body = "".join(block_html(b, users, channels) for b in msg.blocks) if msg.blocks \
        else f'<div class="block">{mrkdwn_html(msg.text, users, channels)}</div>'
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body><div class=\"msg\"><div class=\"avatar\">!</div>"
            f'<div class="body"><div><span class="who">{html.escape(author)}</span><span class="app">APP</span>'
            f'<span class="when">{html.escape(when)}</span></div>{body}</div></div></body></html>\n')
