"""The post-incident review in Slack: its card in the channel, the form, the action-item form,
the reminders and the list of action items."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.blocks import ids
from bot.blocks.kit import date as show_date
from bot.blocks.kit import input_block, modal_view, mrkdwn, option, plain
from bot.core import text as t
from bot.core.clock import utc
from bot.pir.questions import BLAMELESS, QUESTION, QUESTIONS, Question
from models import ACTION_KINDS, MAX_ACTION, ActionItem, Incident, Pir

_STATE = {"open": "In progress", "complete": ":white_check_mark: Complete", "skipped": "Skipped"}


def _button(action_id: str, text: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": action_id, "text": plain(text), "value": value}
    if style:
        button["style"] = style
    return button


def pir_card(inc: Incident, review: Pir, items: list[ActionItem], *, jira: dict[int, tuple[str, str]] | None = None,
             page_url: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """`jira`: action item id -> (issue key, URL); `page_url`: the review's Confluence page."""
    assert inc.id is not None
    due = show_date(review.due_at) if review.due_at else ("_optional_" if not review.required else "_none_")
    if review.state == "open" and review.revision == 0:
        progress = "Not started"
    else:
        progress = _STATE.get(review.state, review.state)
        if review.revision:
            progress += f" · revision {review.revision}"
    open_items = sum(1 for i in items if i.status == "open")
    fields = [
        mrkdwn(f"*Owner*\n{t.user(review.owner_id)}"),
        mrkdwn(f"*Due*\n{due}"),
        mrkdwn(f"*Status*\n{progress}"),
        mrkdwn(f"*Action items*\n{len(items)} ({open_items} open)" if items else "*Action items*\nnone yet"),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(t.truncate(f"Post-incident review: {inc.key}", 150), emoji=False)},
        {"type": "section", "text": mrkdwn(t.truncate(f"*{t.escape(inc.title)}*", 3000)), "fields": fields},
        {"type": "context", "elements": [mrkdwn(f":handshake: {BLAMELESS}")]},
    ]
    records = records_line(items, jira or {}, page_url)
    if records:
        blocks.append({"type": "context", "elements": [mrkdwn(records)]})
    value = str(inc.id)
    if review.state == "open":
        elements = [_button(ids.PIR_FILL, "Fill in the PIR", value, "primary"),
                    _button(ids.PIR_ADD_ACTION, "Add action item", value)]
        if inc.status == "resolved":
            elements.append(_button(ids.PIR_COMPLETE, "Mark PIR complete", value))
        elements.append(_button(ids.PIR_EXPORT, "Export document", value))
    else:
        elements = [_button(ids.PIR_EXPORT, "Export document", value)]
    blocks.append({"type": "actions", "block_id": ids.pir_block_id(inc.id), "elements": elements})
    text = f"Post-incident review for {inc.key}: owner {t.user(review.owner_id)}, {progress.lower()}"
    return text, blocks


def _link(url: str, label: str) -> str:
    return f"<{url.replace('|', '%7C').replace('>', '%3E')}|{t.escape(label)}>"


def records_line(items: list[ActionItem], jira: dict[int, tuple[str, str]], page_url: str | None) -> str:
    """Where the review and its action items live besides Slack: the Confluence page, the Jira issues."""
    parts = []
    if page_url:
        parts.append(f":books: {_link(page_url, 'Review in Confluence')}")
    issues = [jira[i.id] for i in items if i.id in jira]
    if issues:
        shown = ", ".join(_link(url, key) for key, url in issues[:20])
        parts.append(f":ticket: Jira: {shown}" + (f" and {len(issues) - 20} more" if len(issues) > 20 else ""))
    return t.truncate(" · ".join(parts), 3000)


def _when(stamp: int) -> str:
    at = datetime.fromtimestamp(stamp, UTC)
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{at:%Y-%m-%d %H:%M} UTC>"


def review_reminder(inc: Incident, reminder: str, due: int) -> tuple[str, list[dict[str, Any]]]:
    """The DM to the review's owner: due soon, or overdue; with the form one click away."""
    assert inc.id is not None
    where = t.channel(inc.channel_id, inc.channel_name)
    if reminder == "due_soon":
        text = f":spiral_note_pad: The review of *{inc.key}* is due {_when(due)}. Fill it in from {where}."
    else:
        text = (f":warning: The review of *{inc.key}* was due {_when(due)} and is not complete. "
                f"Finish it in {where}.")
    return text, [{"type": "section", "text": mrkdwn(text)},
                  {"type": "actions", "block_id": ids.pir_block_id(inc.id),
                   "elements": [_button(ids.PIR_FILL, "Fill in the PIR", str(inc.id), "primary")]}]


def merged_notice(inc: Incident, fields: list[str], revision: int) -> str:
    names = ", ".join(QUESTION[k].label.lower() for k in fields if k in QUESTION)
    return (f":twisted_rightwards_arrows: Someone else saved the review of {inc.key} while you were writing. "
            f"Both versions of {names} are kept in the review (revision {revision}).")


def exported_comment(inc: Incident, actor: str | None) -> str:
    return f":page_facing_up: The review document of *{inc.key}*" + (f", as asked by {t.user(actor)}" if actor else "")


def _element(q: Question, value: Any, default: datetime | None) -> dict[str, Any]:
    if q.kind in ("text", "long"):
        el: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": q.max_length,
                              "multiline": q.kind == "long"}
        if value:
            el["initial_value"] = str(value)[: q.max_length]
        return el
    if q.kind == "datetime":
        el = {"type": "datetimepicker", "action_id": "value"}
        at = datetime.fromisoformat(value) if value else default
        if at is not None:
            el["initial_date_time"] = int(utc(at).timestamp())
        return el
    opts = [option(label, key) for key, label in (q.choices or {}).items()]
    if q.kind == "choice":
        el = {"type": "radio_buttons", "action_id": "value", "options": opts}
        if value:
            el["initial_option"] = next(o for o in opts if o["value"] == value)
        return el
    el = {"type": "checkboxes", "action_id": "value", "options": opts}
    chosen = [o for o in opts if o["value"] in (value or [])]
    if chosen:
        el["initial_options"] = chosen
    return el


def pir_modal(inc: Incident, review: Pir, *, impact_defaults: dict[str, datetime | None],
              text_defaults: dict[str, str] | None = None) -> dict[str, Any]:
    """The form pre-filled with the latest answers (the impact facts where an impact answer is empty);
    `base` in the metadata is the revision it shows."""
    assert inc.id is not None
    answers = review.answers
    intro = (f"*{inc.key}: {t.escape(inc.title)}*\nEvery save is kept as a revision with its author; "
             f"others can add to it. {BLAMELESS}")
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(t.truncate(intro, 3000))}]
    for q in QUESTIONS:
        if q.key == "impact_start":
            blocks.append({"type": "header", "text": plain("Customer and merchant impact")})
        value = answers.get(q.key) or (text_defaults or {}).get(q.key)
        blocks.append(input_block(q.key, q.label, _element(q, value, impact_defaults.get(q.key)),
                             optional=True, hint=q.hint))
    return modal_view(ids.PIR_VIEW, f"PIR: {inc.key}"[:24], "Save", blocks,
                  {"incident_id": inc.id, "base": review.revision,
                   # what the form offered that nobody wrote: a save that keeps it credits no one with it
                   "prefilled": {k: int(utc(at).timestamp()) for k, at in impact_defaults.items()
                                 if at is not None and not answers.get(k)}})


def action_modal(inc: Incident, *, owner: str | None, today: date) -> dict[str, Any]:
    assert inc.id is not None
    owner_el: dict[str, Any] = {"type": "users_select", "action_id": "value", "placeholder": plain("Who will do it")}
    if owner:
        owner_el["initial_user"] = owner
    kinds = [option(label, key) for key, label in ACTION_KINDS.items()]
    blocks = [
        input_block("description", "Action", {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                         "max_length": MAX_ACTION,
                                         "placeholder": plain("Alert when card authorisation rate drops by 5%")}),
        input_block("owner", "Owner", owner_el),
        input_block("due", "Due", {"type": "datepicker", "action_id": "value",
                              "initial_date": (today + timedelta(days=14)).isoformat()}),
        input_block("kind", "Kind", {"type": "static_select", "action_id": "value", "options": kinds,
                                "initial_option": kinds[0]}),
    ]
    return modal_view(ids.ACTION_VIEW, f"Action: {inc.key}"[:24], "Add", blocks, {"incident_id": inc.id})


def _item_line(item: ActionItem, inc: Incident, today: date, issue: tuple[str, str] | None = None) -> str:
    late = " :warning: *overdue*" if item.status == "open" and item.due_date < today else ""
    done = " :white_check_mark: done" if item.status == "done" else ""
    tracked = f" · {_link(issue[1], issue[0])}" if issue else ""
    return (f"*#{item.id}* [{ACTION_KINDS.get(item.kind, item.kind)}] {t.escape(t.truncate(item.description, 200))}"
            f" · {inc.key} · {t.user(item.owner_id)} · due {item.due_date.isoformat()}{late}{done}{tracked}")


def done_button(item: ActionItem) -> dict[str, Any]:
    return _button(ids.ACTION_DONE, "Mark done", str(item.id), "primary")


def action_assigned(item: ActionItem, inc: Incident, actor: str) -> tuple[str, list[dict[str, Any]]]:
    text = (f":clipboard: {t.user(actor)} gave you an action item from *{inc.key}* "
            f"({t.channel(inc.channel_id, inc.channel_name)}), due {item.due_date.isoformat()}:\n"
            f"{t.escape(item.description)}")
    return t.truncate(text, 3000), [{"type": "section", "text": mrkdwn(t.truncate(text, 3000)),
                                     "accessory": done_button(item)}]


def action_reminder(item: ActionItem, inc: Incident) -> tuple[str, list[dict[str, Any]]]:
    text = (f":alarm_clock: Action item *#{item.id}* from *{inc.key}* was due {item.due_date.isoformat()}:\n"
            f"{t.escape(item.description)}")
    return t.truncate(text, 3000), [{"type": "section", "text": mrkdwn(t.truncate(text, 3000)),
                                     "accessory": done_button(item)}]


def action_done_message(item: ActionItem, inc: Incident) -> tuple[str, list[dict[str, Any]]]:
    text = (f":white_check_mark: Action item *#{item.id}* from *{inc.key}* is done "
            f"(by {t.user(item.done_by)}):\n~{t.escape(item.description)}~")
    return t.truncate(text, 3000), [{"type": "section", "text": mrkdwn(t.truncate(text, 3000))}]


MAX_LISTED = 40


def actions_list(rows: list[tuple[ActionItem, Incident]], *, title: str, viewer: str, today: date,
                 jira: dict[int, tuple[str, str]] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """An ephemeral list; the viewer's own items carry a Mark done button, and each its Jira issue's link."""
    jira = jira or {}
    if not rows:
        return f"{title}: none open. :tada:", [{"type": "section", "text": mrkdwn(f"*{title}*: none open. :tada:")}]
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(f"*{title}* ({len(rows)} open)")}]
    for item, inc in rows[:MAX_LISTED]:
        line = _item_line(item, inc, today, jira.get(item.id or 0))
        block: dict[str, Any] = {"type": "section", "text": mrkdwn(t.truncate(line, 3000))}
        if viewer in (item.owner_id, item.created_by, inc.commander_id):
            block["accessory"] = done_button(item)
        blocks.append(block)
    if len(rows) > MAX_LISTED:
        blocks.append({"type": "context", "elements": [mrkdwn(f"…and {len(rows) - MAX_LISTED} more.")]})
    lines = [f"{title} ({len(rows)} open)"] + [_item_line(i, inc, today, jira.get(i.id or 0))
                                               for i, inc in rows[:MAX_LISTED]]
    return t.truncate("\n".join(lines), 3000), blocks
