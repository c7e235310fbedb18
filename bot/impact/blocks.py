"""The impact in Slack: the card's line, the impact form (the card's *Impact* button and
`/incident impact form`), and the reply to `/incident impact`."""

from __future__ import annotations

from typing import Any

from bot.blocks import ids
from bot.blocks.kit import input_block, modal_view, option, plain
from bot.core import text as t
from bot.impact.fields import DATA_KINDS, FIELDS, USAGE, shown, summary
from models import Incident

_HINTS = {"failed": "A count", "failed_rate": "A percentage, e.g. 4.5", "amount": "A number, e.g. 12000",
          "currency": "EUR, USD, GBP…", "key_merchants": "Comma-separated", "methods": "Visa, Mastercard, SEPA…",
          "acquirers": "Comma-separated", "regions": "DE, FR, eu-west-1…"}


def card_line(values: dict[str, Any]) -> str | None:
    line = summary(values)
    return f":chart_with_downwards_trend: *Impact:* {t.escape(line)}" if line else None


def impact_modal(inc: Incident, values: dict[str, Any]) -> dict[str, Any]:
    assert inc.id is not None
    blocks: list[dict[str, Any]] = []
    for key, (label, kind) in FIELDS.items():
        if kind == "data":
            continue
        el: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": 1200}
        if values.get(key) is not None:
            el["initial_value"] = shown(key, values[key]).removesuffix("%").replace(",", "") \
                if kind in ("count", "rate", "amount") else shown(key, values[key])
        if key in _HINTS:
            el["placeholder"] = plain(_HINTS[key])
        blocks.append(input_block(key, label, el, optional=True))
    opts = [option("None", "none"), *(option(k.capitalize(), k) for k in DATA_KINDS)]
    data_el: dict[str, Any] = {"type": "checkboxes", "action_id": "value", "options": opts}
    chosen = [o for o in opts if o["value"] in (values.get("data") or [])]
    if chosen:
        data_el["initial_options"] = chosen
    blocks.append(input_block("data", "Data affected", data_el, optional=True))
    return modal_view(ids.IMPACT_VIEW, f"Impact: {inc.key}"[:24], "Save", blocks, {"incident_id": inc.id})


def impact_reply(inc: Incident, values: dict[str, Any]) -> str:
    rows = [f"*{label}:* {t.escape(shown(key, values.get(key)))}" for key, (label, _) in FIELDS.items()
            if values.get(key) is not None]
    head = f"*Impact of {inc.key}*"
    return "\n".join([head, *rows] if rows else [head, "_Nothing recorded yet._", USAGE])


def saved_reply(inc: Incident, values: dict[str, Any]) -> str:
    return f":chart_with_downwards_trend: Impact of {inc.key}: {t.escape(summary(values) or 'nothing recorded')}."
