"""The smallest Block Kit pieces every builder uses: text objects, options, dates."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.core import text as t
from bot.core.clock import utc


def plain(text: str, *, emoji: bool = True) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": emoji}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    opt: dict[str, Any] = {"text": plain(t.truncate(text, 75)), "value": value}
    if description:
        opt["description"] = plain(t.truncate(description, 75))
    return opt


def input_block(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
                hint: str | None = None) -> dict[str, Any]:
    """A modal's input; the block id doubles as the field name a service's InvalidInput(field=…) names."""
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain(label), "element": element,
                             "optional": optional}
    if hint:
        block["hint"] = plain(hint)
    return block


def modal_view(callback_id: str, title: str, submit: str, blocks: list[dict[str, Any]],
               metadata: dict[str, Any]) -> dict[str, Any]:
    """A modal with Cancel, carrying `metadata` as compact JSON in private_metadata."""
    return {
        "type": "modal", "callback_id": callback_id, "title": plain(title), "submit": plain(submit),
        "close": plain("Cancel"), "blocks": blocks, "private_metadata": json.dumps(metadata, separators=(",", ":")),
    }


def date(dt: datetime) -> str:
    """A date every reader sees in their own time zone, with a UTC fallback."""
    stamp = int(utc(dt).timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{utc(dt):%Y-%m-%d %H:%M} UTC>"


def value_of(state: dict[str, Any], block_id: str) -> Any:
    """The submitted value of an input block's `value` element, whatever its kind."""
    el = state.get("values", {}).get(block_id, {}).get("value") or {}
    kind = el.get("type")
    if kind in ("plain_text_input", "number_input", "url_text_input", "email_text_input"):
        return el.get("value")
    if kind in ("static_select", "radio_buttons"):
        opt = el.get("selected_option")
        return opt["value"] if opt else None
    if kind == "users_select":
        return el.get("selected_user")
    if kind == "datepicker":
        return el.get("selected_date")
    if kind == "datetimepicker":
        return el.get("selected_date_time")
    if kind in ("checkboxes", "multi_static_select"):
        return [o["value"] for o in el.get("selected_options") or []]
    return None
