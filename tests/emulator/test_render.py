"""Block Kit in, readable text out."""

from __future__ import annotations

from bot.emulator.render import (
    mrkdwn_to_text,
    render_blocks,
    render_channel,
    render_element,
    render_ephemeral,
    render_message,
    render_view,
)
from bot.emulator.state import Channel, Ephemeral, Message, User, View, Workspace

USERS = {"U1": User("U1", "alice", "Alice"), "U0BOT": User("U0BOT", "incident-bot", "Incident Bot", is_bot=True)}
CHANNELS = {"C1": Channel("C1", "inc-42-checkout", False, "U1", 0)}


def pt(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def md(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def opt(text: str, value: str) -> dict[str, object]:
    return {"text": pt(text), "value": value}


def test_mrkdwn_mentions_links_dates_and_escapes() -> None:
    s = ("<@U1> paged <@U9|bob> in <#C1> and <#C7|war-room>: <!channel> <!here> <!subteam^S1|@oncall> "
         "since <!date^1700000000^{time}|10:13 UTC>, see <https://runbooks.io/x|runbook> or <https://status.io> "
         "<mailto:a@b.io|a@b.io> — p99 &lt; 2s &amp;&amp; errors &gt; 5% *bold* _it_ ~gone~")
    assert mrkdwn_to_text(s, USERS, CHANNELS) == (
        "@alice paged @bob in #inc-42-checkout and #war-room: @channel @here @oncall "
        "since 10:13 UTC, see runbook (https://runbooks.io/x) or https://status.io "
        "a@b.io — p99 < 2s && errors > 5% *bold* _it_ ~gone~")


def test_mrkdwn_without_directories_falls_back_to_ids() -> None:
    assert mrkdwn_to_text("<@U1> <#C1>") == "@U1 #C1"
    assert mrkdwn_to_text("&amp;lt;") == "&lt;"  # an escaped ampersand stays literal


def test_message_blocks() -> None:
    blocks = [
        {"type": "header", "text": pt("SEV1 Checkout errors")},
        {"type": "section", "text": md("Declared by <@U1>"),
         "fields": [md("*Severity*\nSEV1"), md("*Status:* Investigating"), md("*Commander*: <@U1>"), md("plain")]},
        {"type": "divider"},
        {"type": "context", "elements": [md("Opened 10:13"), {"type": "image", "image_url": "x", "alt_text": "pd"},
                                         pt("INC-42")]},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": "ack", "text": pt("Acknowledge"), "style": "primary"},
            {"type": "static_select", "action_id": "sev", "placeholder": pt("Severity"),
             "initial_option": opt("SEV1", "sev1"), "options": [opt("SEV1", "sev1"), opt("SEV2", "sev2")]},
            {"type": "users_select", "action_id": "cmd", "initial_user": "U1"},
            {"type": "static_select", "action_id": "x", "options": [opt("a", "a")]},
            {"type": "overflow", "action_id": "more", "options": [opt("Edit", "e"), opt("Close", "c")]},
        ]},
    ]
    assert render_blocks(blocks, USERS, CHANNELS) == "\n".join([
        "SEV1 Checkout errors",
        "====================",
        "Declared by @alice",
        "Severity: SEV1",
        "Status: Investigating",
        "Commander: @alice",
        "plain",
        "—" * 20,
        "· Opened 10:13 · [pd] · INC-42",
        "[Acknowledge] [Severity: SEV1 ▾] [user: @alice ▾] [select ▾] [⋯ Edit | Close]",
    ])


def test_section_accessory_and_rich_text() -> None:
    blocks = [
        {"type": "section", "text": md("Runbook"), "accessory": {"type": "button", "text": pt("Open"), "url": "u"}},
        {"type": "rich_text", "elements": [
            {"type": "rich_text_section", "elements": [
                {"type": "text", "text": "Hi "}, {"type": "user", "user_id": "U1"},
                {"type": "text", "text": " see ", "style": {}}, {"type": "channel", "channel_id": "C1"},
                {"type": "text", "text": " now", "style": {"bold": True}}, {"type": "emoji", "name": "fire"}]},
            {"type": "rich_text_list", "style": "bullet", "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "one"}]},
                {"type": "rich_text_section", "elements": [
                    {"type": "link", "url": "https://x.io", "text": "two"}]}]},
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted"}]},
        ]},
        {"type": "image", "image_url": "x", "alt_text": "graph"},
    ]
    assert render_blocks(blocks, USERS, CHANNELS) == "\n".join([
        "Runbook  [Open]",
        "Hi @alice see #inc-42-checkout *now*:fire:",
        "• one",
        "• two (https://x.io)",
        "> quoted",
        "[image: graph]",
    ])


def test_long_lines_wrap_at_100() -> None:
    text = " ".join(["word"] * 60)
    out = render_blocks([{"type": "section", "text": md(text)}])
    assert all(len(line) <= 100 for line in out.split("\n")) and out.replace("\n", " ") == text


def test_view_with_inputs_options_and_errors() -> None:
    view = {
        "type": "modal", "title": pt("Declare incident"), "submit": pt("Declare"), "close": pt("Cancel"),
        "blocks": [
            {"type": "section", "text": md("Tell us what is broken.")},
            {"type": "input", "block_id": "title", "label": pt("Title"),
             "element": {"type": "plain_text_input", "action_id": "v", "placeholder": pt("What is broken?")},
             "hint": pt("Short and specific")},
            {"type": "input", "block_id": "sev", "label": pt("Severity"),
             "element": {"type": "static_select", "action_id": "v", "initial_option": opt("SEV2", "sev2"),
                         "options": [opt("SEV1", "sev1"), opt("SEV2", "sev2")]}},
            {"type": "input", "block_id": "cmd", "label": pt("Commander"), "optional": True,
             "element": {"type": "users_select", "action_id": "v"}},
            {"type": "input", "block_id": "sum", "label": pt("Summary"), "optional": True,
             "element": {"type": "plain_text_input", "action_id": "v", "multiline": True, "initial_value": "tbd"}},
            {"type": "input", "block_id": "when", "label": pt("Started"),
             "element": {"type": "datepicker", "action_id": "v", "initial_date": "2024-05-01"}},
            {"type": "input", "block_id": "notify", "label": pt("Notify"),
             "element": {"type": "checkboxes", "action_id": "v", "initial_options": [opt("Status page", "sp")],
                         "options": [opt("Status page", "sp"), opt("Execs", "ex")]}},
            {"type": "input", "block_id": "impact", "label": pt("Impact"),
             "element": {"type": "radio_buttons", "action_id": "v",
                         "options": [opt("Customers", "c"), opt("Internal", "i")]}},
        ],
    }
    assert render_view(view, USERS, errors={"title": "Say a bit more"}) == "\n".join([
        "┌ Declare incident ┐",
        "Tell us what is broken.",
        "Title: [text: (What is broken?)]",
        "    hint: Short and specific",
        "    ! Say a bit more",
        "Severity: [select: SEV2 ▾]",
        "    options: SEV1 | SEV2",
        "Commander (optional): [user ▾]",
        'Summary (optional): [long text: "tbd"]',
        "Started: [date: 2024-05-01]",
        "Notify: [x] Status page  [_] Execs",
        "Impact: ( ) Customers  ( ) Internal",
        "└ [Cancel] [Declare]",
    ])
    stored = View("V1", "modal", "U1", {"type": "modal", "title": pt("Done"), "blocks": []}, "h", "V1",
                  errors={"x": "y"})
    assert render_view(stored) == "┌ Done ┐\n└ [Close]"


def test_render_element_pickers() -> None:
    assert render_element({"type": "multi_users_select", "initial_users": ["U1", "U2"]}, USERS) == \
        "[users: @alice, @U2 ▾]"
    assert render_element({"type": "conversations_select", "initial_conversation": "C1"}, None, CHANNELS) == \
        "[channel: #inc-42-checkout ▾]"
    assert render_element({"type": "timepicker"}) == "[time]"


def test_message_and_ephemeral() -> None:
    plain = Message("C1", "1.1", "U1", "Looking at <#C1> now", edited=True)
    assert render_message(plain, USERS, CHANNELS) == "alice: Looking at #inc-42-checkout now (edited)"
    card = Message("C1", "1.2", "U0BOT", "fallback", [{"type": "section", "text": md("*SEV1* open")},
                                                      {"type": "divider"}])
    assert render_message(card, USERS) == "incident-bot:\n  *SEV1* open\n  " + "—" * 20
    assert render_ephemeral(Ephemeral("C1", "U1", "Only you: <@U1>"), USERS) == \
        "(only @alice sees this) Only you: @alice"


def test_channel_with_pins_threads_and_since() -> None:
    ws = Workspace()
    alice = ws.add_user("alice", user_id="U1")
    cid = ws.add_channel("inc-42-checkout", is_private=True, members=[alice], bot_member=True)
    ch = ws.channels[cid]
    ch.topic = "SEV1 — commander <@U1>"
    ch.bookmarks.append({"title": "Runbook", "link": "https://runbooks.io/x"})
    card = Message(cid, "1.1", ws.bot_user_id, "card", [{"type": "header", "text": pt("SEV1 Checkout errors")}])
    reply = Message(cid, "1.3", alice, "on it", thread_ts="1.1")
    later = Message(cid, "1.2", alice, "rolled back")
    ws.messages[cid] += [card, later, reply]
    ch.pins.append("1.1")
    assert render_channel(ws, cid) == "\n".join([
        "#inc-42-checkout (private) — topic: SEV1 — commander @alice",
        "  [pinned] incident-bot: SEV1 Checkout errors",
        "  [bookmark] Runbook (https://runbooks.io/x)",
        "  incident-bot:",
        "    SEV1 Checkout errors",
        "    ====================",
        "    ↳ alice: on it",
        "  alice: rolled back",
    ])
    # only what came after the first message; the reply's parent is out of the window
    assert render_channel(ws, "inc-42-checkout", since=1).split("\n")[-2:] == [
        "  alice: rolled back", "    ↳ alice: on it"]
    assert render_channel(ws, "U1").startswith("@alice (direct message)")
