"""Communications in Slack: the structured update as posted, the customer-message modal, the line a
published message leaves in the incident channel, and the resolved-message reminder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.blocks import ids
from bot.blocks.kit import date, input_block, modal_view, mrkdwn, option, plain
from bot.comms.drafts import Draft
from bot.core import text as t
from bot.impact.fields import summary as impact_summary
from bot.policy import Policy
from models import PUBLIC_LABELS, STATE_LABELS, ExternalMessage, Incident

NEXT_UPDATE_MINUTES = (10, 15, 20, 30, 45, 60, 90, 120, 240, 480, 720, 1440)
MAX_SECTION = 3000


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(t.truncate(text, MAX_SECTION))}


def minutes_label(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} minutes"
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest}m" if rest else (f"{hours} hour" if hours == 1 else f"{hours} hours")


def next_update_element(cadence_minutes: int | None) -> dict[str, Any]:
    """The "next update in" choice, starting at the severity's cadence."""
    choices = sorted(set(NEXT_UPDATE_MINUTES) | ({cadence_minutes} if cadence_minutes else set()))
    opts = [option(minutes_label(m) + (" (the cadence)" if m == cadence_minutes else ""), str(m)) for m in choices]
    el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": opts,
                          "placeholder": plain("When is the next update due?")}
    if cadence_minutes:
        el["initial_option"] = next(o for o in opts if o["value"] == str(cadence_minutes))
    return el


# -- the structured update ----------------------------------------------------------------------------

def update_message(inc: Incident, policy: Policy, p: dict[str, Any], *,
                   where: str = "channel") -> tuple[str, list[dict[str, Any]]]:
    """The update as posted: in the incident channel, in the announcement's thread, or in a stakeholder
    channel (which also names the incident and links its channel)."""
    sev = policy.severity(inc.severity).name
    status = str(p.get("status") or inc.status)
    head = f":memo: *Update on {inc.key}* ({sev} · {status.capitalize()}) from {t.user(p.get('actor'))}"
    if where == "route":
        head += f"\n*{t.escape(inc.title)}* · {t.channel(inc.channel_id, inc.channel_name)}"
    blocks = [_section(f"{head}\n{t.escape(p['text'])}")]
    for key, label in (("impact", "Customer impact"), ("actions", "Actions taken"), ("next_steps", "Next steps")):
        if p.get(key):
            blocks.append(_section(f"*{label}*\n{t.escape(p[key])}"))
    recorded = impact_summary(p.get("payment_impact") or {})
    if recorded:  # the impact facts as they stood when the update was posted
        blocks.append({"type": "context", "elements": [mrkdwn(f":chart_with_downwards_trend: Payment impact: "
                                                               f"{t.escape(recorded)}")]})
    if p.get("next_update"):
        when = datetime.fromtimestamp(int(p["next_update"]), tz=UTC)
        blocks.append({"type": "context", "elements": [mrkdwn(f":alarm_clock: Next update by {date(when)}")]})
    fallback = t.truncate(f"Update on {inc.key}: {t.escape(p['text'])}", MAX_SECTION)
    return fallback, blocks


# -- customer messages ---------------------------------------------------------------------------------

def draft_modal(draft: Draft, policy: Policy, *, viewer: str, statuspage: bool) -> dict[str, Any]:
    status_opts = [option(label, key) for key, label in PUBLIC_LABELS.items()]
    comp_opts = [option(c.name, key) for key, c in policy.comms.components.items()]
    impact_opts = [option(label, key) for key, label in STATE_LABELS.items() if key != "operational"]
    comp_el: dict[str, Any] = {"type": "multi_static_select", "action_id": "value", "options": comp_opts,
                               "placeholder": plain("What customers cannot use")}
    initial = [o for o in comp_opts if o["value"] in draft.components]
    if initial:
        comp_el["initial_options"] = initial
    tpl = policy.comms.templates[draft.template]
    where = "the status page and Atlassian Statuspage" if statuspage else "the public status page"
    notes = [f"Template: *{t.escape(tpl.name)}* (`/incident draft &lt;template&gt;` picks another). "
             f"Publishing puts this on {where} at once."]
    if draft.publisher and viewer != draft.publisher:
        notes.append(f":lock: Only {t.user(draft.publisher)} can publish it: prepare it and share it with them.")
    blocks = [
        {"type": "context", "elements": [mrkdwn(" ".join(notes))]},
        input_block("status", "Status", {"type": "static_select", "action_id": "value", "options": status_opts,
                                    "initial_option": next(o for o in status_opts if o["value"] == draft.status)}),
        input_block("components", "Affected components", comp_el),
        input_block("impact", "Impact on them", {"type": "static_select", "action_id": "value", "options": impact_opts,
                                            "initial_option": next(o for o in impact_opts
                                                                   if o["value"] == draft.impact)},
               hint="A resolved message marks them operational."),
        input_block("title", "Public title", {"type": "plain_text_input", "action_id": "value", "max_length": 150,
                                         "initial_value": draft.title}),
        input_block("message", "Message to customers", {"type": "plain_text_input", "action_id": "value",
                                                   "multiline": True, "max_length": 3000,
                                                   "initial_value": draft.text},
               hint="Customers read exactly this: no names, no internal details."),
    ]
    return modal_view(ids.PUBLISH_VIEW, "Customer message", "Publish", blocks,
                      {"incident_id": draft.incident_id, "template": draft.template})


def _components(policy: Policy, states: dict[str, str]) -> str:
    return ", ".join(f"{policy.comms.components[k].name if k in policy.comms.components else k} "
                     f"({STATE_LABELS.get(s, s)})" for k, s in states.items())


def published_line(inc: Incident, policy: Policy, msg: ExternalMessage) -> str:
    quoted = "\n".join(f"> {line}" for line in t.escape(msg.text).splitlines() or [""])
    return t.truncate(f":loudspeaker: {t.user(msg.author)} published a customer message for {inc.key} — "
                      f"*{PUBLIC_LABELS[msg.kind]}*: {t.escape(msg.title)}\n{quoted}\n"
                      f"_Components: {_components(policy, msg.components)}_", 3000)


def resolved_ask(inc: Incident, publisher: str | None, last: ExternalMessage | None,
                 *, first: bool) -> tuple[str, list[dict[str, Any]]]:
    who = t.user(publisher)
    if last is None:
        body = (f"Nothing was published to customers about {inc.key}. Publish a resolved message if they were "
                "affected, or skip it if they were not.")
    else:
        body = (f"Customers last read *{PUBLIC_LABELS[last.kind]}* about {inc.key} ({date(last.published_at)}): "
                "the status page still shows it open. Publish the resolved message to close it there.")
    lead = (f":loudspeaker: {who}, {inc.key} is resolved." if first
            else f":bell: {who}, the resolved customer message for {inc.key} is still not published.")
    assert inc.id is not None
    buttons: list[dict[str, Any]] = [
        {"type": "button", "action_id": ids.DRAFT_MESSAGE, "text": plain("Draft resolved message"),
         "style": "primary", "value": f"{inc.id}:resolved"}]
    if last is None:
        buttons.append({"type": "button", "action_id": ids.SKIP_RESOLVED, "text": plain("Skip: customers not affected"),
                        "value": str(inc.id)})
    text = f"{lead} {body}"
    return text, [_section(text), {"type": "actions", "elements": buttons}]


def skipped_line(inc: Incident, actor: str | None) -> str:
    return f":no_bell: {t.user(actor)} skipped the resolved customer message for {inc.key}."


def draft_button(inc: Incident) -> dict[str, Any]:
    """The summary card's button."""
    return {"type": "button", "action_id": ids.DRAFT_MESSAGE, "text": plain("Draft customer message"),
            "value": str(inc.id)}
