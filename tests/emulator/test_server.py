"""The Slack Web API emulator, driven by the real slack_sdk AsyncWebClient over HTTP.

Checks that it answers like Slack and, above all, rejects what Slack rejects.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.emulator import SlackEmulator, Workspace
from bot.emulator.blockkit import block_problems, channel_name_error, view_error
from bot.emulator.state import Message


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[SlackEmulator]:
    e = SlackEmulator()
    await e.start()
    yield e
    await e.stop()


@pytest.fixture
def client(emu: SlackEmulator) -> AsyncWebClient:
    return AsyncWebClient(token=emu.bot_token, base_url=emu.api_url)


@pytest.fixture
def ws(emu: SlackEmulator) -> Workspace:
    return emu.workspace


@pytest.fixture
def alice(ws: Workspace) -> str:
    return ws.add_user("alice", "Alice Adams", email="alice@example.com")


@pytest.fixture
def bob(ws: Workspace) -> str:
    return ws.add_user("bob", "Bob Brown")


@pytest.fixture
def room(ws: Workspace, alice: str, bob: str) -> str:
    """A public channel with alice, bob and the bot."""
    return ws.add_channel("payments", members=[alice, bob], bot_member=True)


async def slack_error(coro: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        await coro
    return info.value


def error_of(exc: SlackApiError) -> str:
    return exc.response["error"]


def section(text: str = "hi") -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(blocks: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Declare"}, "blocks": blocks or [section()],
            **extra}


# -- auth and plumbing ------------------------------------------------------------------------------
async def test_auth_test_answers_with_bot_identity(client: AsyncWebClient, ws: Workspace) -> None:
    resp = await client.auth_test()
    assert resp["user_id"] == ws.bot_user_id and resp["team_id"] == ws.team_id and resp["bot_id"]


@pytest.mark.parametrize("token, error", [(None, "not_authed"), ("xoxb-wrong", "invalid_auth")])
async def test_bad_tokens_are_refused(emu: SlackEmulator, token: str | None, error: str) -> None:
    exc = await slack_error(AsyncWebClient(token=token, base_url=emu.api_url).auth_test())
    assert error_of(exc) == error
    assert emu.workspace.calls[-1].error == error


async def test_unknown_method(client: AsyncWebClient) -> None:
    assert error_of(await slack_error(client.api_call("chat.teleport"))) == "unknown_method"


async def test_calls_are_logged_with_decoded_blocks(client: AsyncWebClient, ws: Workspace, room: str) -> None:
    await client.api_call("chat.postMessage", data={"channel": room, "text": "x", "blocks": '[{"type": "divider"}]'})
    call = ws.calls_to("chat.postMessage")[-1]
    assert call.ok and call.status == 200 and call.args["blocks"] == [{"type": "divider"}]
    assert "token" not in call.args


# -- channels ---------------------------------------------------------------------------------------------
async def test_create_channel_makes_the_bot_creator_and_member(client: AsyncWebClient, ws: Workspace) -> None:
    resp = await client.conversations_create(name="inc-42-card-payments", is_private=True)
    ch = ws.channels[resp["channel"]["id"]]
    assert ch.is_private and ch.creator == ws.bot_user_id and ch.members == {ws.bot_user_id}
    assert resp["channel"]["is_member"] and resp["channel"]["name"] == "inc-42-card-payments"
    assert error_of(await slack_error(client.conversations_create(name="inc-42-card-payments"))) == "name_taken"


@pytest.mark.parametrize("name, error", [
    ("Inc-42", "invalid_name_specials"), ("inc 42", "invalid_name_specials"), ("inc.42", "invalid_name_specials"),
    ("x" * 81, "invalid_name_maxlength"), ("---", "invalid_name_punctuation"), ("", "invalid_name_required"),
])
async def test_channel_name_rules(client: AsyncWebClient, ws: Workspace, name: str, error: str) -> None:
    assert error_of(await slack_error(client.conversations_create(name=name))) == error
    assert ws.channels == {}


def test_channel_name_rules_as_pure_function() -> None:
    assert channel_name_error("inc-7_eu-cards") is None
    assert channel_name_error("x" * 80) is None
    assert channel_name_error(None) == "invalid_name_required"


async def test_invite_errors(client: AsyncWebClient, ws: Workspace, alice: str, bob: str) -> None:
    cid = (await client.conversations_create(name="inc-1"))["channel"]["id"]
    assert error_of(await slack_error(client.conversations_invite(channel=cid, users=[ws.bot_user_id]))) \
        == "cant_invite_self"
    exc = await slack_error(client.conversations_invite(channel=cid, users=[alice, "U404"]))
    assert error_of(exc) == "user_not_found" and exc.response["errors"][0]["user"] == "U404"
    assert alice not in ws.channels[cid].members  # one bad id: nobody is invited
    assert error_of(await slack_error(client.conversations_invite(channel="C404", users=[alice]))) \
        == "channel_not_found"
    assert error_of(await slack_error(client.conversations_invite(channel=cid, users=[f"U{i}" for i in range(101)]))) \
        == "too_many_users"

    resp = await client.conversations_invite(channel=cid, users=[alice, bob])
    assert ws.channels[cid].members == {ws.bot_user_id, alice, bob} and resp["channel"]["id"] == cid
    assert error_of(await slack_error(client.conversations_invite(channel=cid, users=alice))) == "already_in_channel"

    other = ws.add_channel("elsewhere", members=[bob])
    assert error_of(await slack_error(client.conversations_invite(channel=other, users=[alice]))) == "not_in_channel"
    secret = ws.add_channel("secret", is_private=True, members=[bob])
    assert error_of(await slack_error(client.conversations_invite(channel=secret, users=[alice]))) \
        == "channel_not_found"


async def test_topic_purpose_info_join_archive(client: AsyncWebClient, ws: Workspace, bob: str) -> None:
    cid = (await client.conversations_create(name="inc-2"))["channel"]["id"]
    resp = await client.conversations_setTopic(channel=cid, topic="SEV1 | IC: @alice")
    assert resp["channel"]["topic"]["value"] == "SEV1 | IC: @alice"
    assert error_of(await slack_error(client.conversations_setTopic(channel=cid, topic="x" * 251))) == "too_long"
    await client.conversations_setPurpose(channel=cid, purpose="Card payments failing")
    info = (await client.conversations_info(channel=cid))["channel"]
    assert info["purpose"]["value"] == "Card payments failing" and info["is_member"] and not info["is_private"]

    public = ws.add_channel("watercooler", members=[bob])
    assert error_of(await slack_error(client.conversations_setTopic(channel=public, topic="t"))) == "not_in_channel"
    await client.conversations_join(channel=public)
    assert ws.bot_user_id in ws.channels[public].members
    private = ws.add_channel("hr", is_private=True, members=[bob])
    assert error_of(await slack_error(client.conversations_join(channel=private))) \
        == "method_not_supported_for_channel_type"

    await client.conversations_archive(channel=cid)
    assert ws.channels[cid].is_archived
    assert error_of(await slack_error(client.chat_postMessage(channel=cid, text="hi"))) == "is_archived"
    assert error_of(await slack_error(client.conversations_archive(channel=cid))) == "already_archived"

    members = await client.conversations_members(channel=public)
    assert set(members["members"]) == {bob, ws.bot_user_id}
    listed = await client.conversations_list(types="public_channel,private_channel")
    assert {c["id"] for c in listed["channels"]} == {cid, public}  # "hr" is invisible to the bot


# -- messages -----------------------------------------------------------------------------------------
async def test_post_message_membership_errors(client: AsyncWebClient, ws: Workspace, alice: str, room: str) -> None:
    public = ws.add_channel("lobby", members=[alice])
    private = ws.add_channel("secret", is_private=True, members=[alice])
    assert error_of(await slack_error(client.chat_postMessage(channel=public, text="hi"))) == "not_in_channel"
    assert error_of(await slack_error(client.chat_postMessage(channel=private, text="hi"))) == "channel_not_found"
    assert error_of(await slack_error(client.chat_postMessage(channel="C404", text="hi"))) == "channel_not_found"
    assert error_of(await slack_error(client.api_call("chat.postMessage", json={"channel": room}))) == "no_text"
    assert error_of(await slack_error(client.chat_postMessage(channel=room, text="x" * 40_001))) == "msg_too_long"
    assert ws.messages_in(public) == ws.messages_in(private) == ws.messages_in(room) == []

    resp = await client.chat_postMessage(channel=room, text="hello", blocks=[section("hello")])
    assert resp["channel"] == room and resp["message"]["text"] == "hello"
    assert ws.message(room, resp["ts"]) == Message(room, resp["ts"], ws.bot_user_id, "hello", [section("hello")])


async def test_direct_messages_by_user_id(client: AsyncWebClient, ws: Workspace, alice: str) -> None:
    first = await client.chat_postMessage(channel=alice, text="you are the IC")
    assert first["channel"].startswith("D")
    second = await client.chat_postMessage(channel=first["channel"], text="still you")
    assert second["channel"] == first["channel"]
    assert [m.text for m in ws.messages_in(alice)] == ["you are the IC", "still you"]
    await client.chat_update(channel=first["channel"], ts=first["ts"], text="edited")
    assert ws.messages_in(alice)[0].text == "edited"
    assert (await client.conversations_open(users=alice))["channel"]["id"] == first["channel"]
    assert error_of(await slack_error(client.conversations_open(users="U404"))) == "user_not_found"


async def test_post_ephemeral(client: AsyncWebClient, ws: Workspace, alice: str, room: str) -> None:
    await client.chat_postEphemeral(channel=room, user=alice, text="only you")
    assert [(e.channel, e.text, e.via) for e in ws.ephemerals_for(alice)] == [(room, "only you", "api")]
    stranger = ws.add_user("mallory")
    assert error_of(await slack_error(client.chat_postEphemeral(channel=room, user=stranger, text="x"))) \
        == "user_not_in_channel"


async def test_chat_update_and_delete(client: AsyncWebClient, ws: Workspace, alice: str, room: str) -> None:
    ts = (await client.chat_postMessage(channel=room, text="v1", blocks=[section("v1")]))["ts"]
    resp = await client.chat_update(channel=room, ts=ts, text="v2", blocks=[section("v2")])
    msg = ws.message(room, ts)
    assert msg is not None and msg.text == "v2" and msg.blocks == [section("v2")] and msg.edited
    assert resp["message"]["text"] == "v2"
    assert error_of(await slack_error(client.chat_update(channel=room, ts="1.000000", text="x"))) \
        == "message_not_found"
    assert error_of(await slack_error(client.chat_update(channel=room, ts=ts, text="v3", blocks=[{"type": "nope"}]))) \
        == "invalid_blocks"
    assert ws.message(room, ts).blocks == [section("v2")]  # type: ignore[union-attr]

    theirs = Message(room, ws.new_ts(), alice, "human words")
    ws.messages[room].append(theirs)
    assert error_of(await slack_error(client.chat_update(channel=room, ts=theirs.ts, text="x"))) \
        == "cant_update_message"
    assert error_of(await slack_error(client.chat_delete(channel=room, ts=theirs.ts))) == "cant_delete_message"

    link = await client.chat_getPermalink(channel=room, message_ts=ts)
    assert link["permalink"] == f"https://emulated.slack.test/archives/{room}/p{ts.replace('.', '')}"
    await client.chat_delete(channel=room, ts=ts)
    assert ws.message(room, ts) is None


async def test_pins_and_reactions(client: AsyncWebClient, emu: SlackEmulator, ws: Workspace, room: str) -> None:
    ts = (await client.chat_postMessage(channel=room, text="card"))["ts"]
    await client.pins_add(channel=room, timestamp=ts)
    assert ws.channels[room].pins == [ts]
    assert error_of(await slack_error(client.pins_add(channel=room, timestamp=ts))) == "already_pinned"
    assert error_of(await slack_error(client.pins_add(channel=room, timestamp="9.000009"))) == "message_not_found"
    assert error_of(await slack_error(client.api_call("pins.add", params={"channel": room}))) == "no_item_specified"
    await client.pins_remove(channel=room, timestamp=ts)
    assert error_of(await slack_error(client.pins_remove(channel=room, timestamp=ts))) == "no_pin"

    await client.reactions_add(channel=room, timestamp=ts, name="eyes")
    assert error_of(await slack_error(client.reactions_add(channel=room, timestamp=ts, name="eyes"))) \
        == "already_reacted"
    assert emu.reactions[(room, ts)] == {"eyes": [ws.bot_user_id]}

    bm = await client.bookmarks_add(channel_id=room, title="Runbook", type="link", link="https://runbooks.test/x")
    assert ws.channels[room].bookmarks[0]["id"] == bm["bookmark"]["id"]


async def test_users_and_usergroups(client: AsyncWebClient, emu: SlackEmulator, alice: str) -> None:
    assert (await client.users_info(user=alice))["user"]["real_name"] == "Alice Adams"
    assert error_of(await slack_error(client.users_info(user="U404"))) == "user_not_found"
    assert (await client.users_lookupByEmail(email="ALICE@example.com"))["user"]["id"] == alice
    assert error_of(await slack_error(client.users_lookupByEmail(email="x@example.com"))) == "users_not_found"
    emu.usergroups["S0ONCALL"] = [alice]
    assert (await client.usergroups_users_list(usergroup="S0ONCALL"))["users"] == [alice]
    assert error_of(await slack_error(client.usergroups_users_list(usergroup="S404"))) == "no_such_subteam"


# -- Block Kit rejections --------------------------------------------------------------------------------
def options(n: int, text: str = "opt") -> list[dict[str, Any]]:
    return [{"text": {"type": "plain_text", "text": f"{text}{i}"}, "value": f"v{i}"} for i in range(n)]


@pytest.mark.parametrize("blocks, pointer", [
    ([section()] * 51, "/blocks]"),
    ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "/blocks/0/text/text"),
    ([{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}], "/blocks/0/text/type"),
    ([{"type": "actions", "elements": [{"type": "static_select", "action_id": "sev", "options": options(101)}]}],
     "/blocks/0/elements/0/options"),
    ([{"type": "actions", "elements": [{"type": "buton", "text": {"type": "plain_text", "text": "Go"}}]}],
     "/blocks/0/elements/0/type"),
    ([{"type": "actions", "elements": [{"type": "plain_text_input", "action_id": "x"}]}],
     "/blocks/0/elements/0/type"),
    ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "/blocks/0/text/text"),
    ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}], "/blocks/0/fields"),
    ([{"type": "section", "text": {"type": "mrkdwn", "text": ""}}], "/blocks/0/text/text"),
    ([{"type": "section", "txt": {"type": "mrkdwn", "text": "typo"}}], "/blocks/0"),
    ([{"type": "actions", "elements": [
        {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "b" * 76}}]}],
     "/blocks/0/elements/0/text/text"),
    ([{"type": "actions", "elements": [
        {"type": "button", "action_id": "same", "text": {"type": "plain_text", "text": "1"}},
        {"type": "button", "action_id": "same", "text": {"type": "plain_text", "text": "2"}}]}],
     "/blocks/0/elements/1/action_id"),
    ([{**section(), "block_id": "b"}, {**section(), "block_id": "b"}], "/blocks/1/block_id"),
    ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}], "/blocks/0/elements"),
    ([{"type": "actions", "elements": [{"type": "overflow", "action_id": "o", "options": options(1)}]}],
     "/blocks/0/elements/0/options"),
    ([{"type": "actions", "elements": [
        {"type": "static_select", "action_id": "s", "options": [{"text": {"type": "plain_text", "text": "x"},
                                                                 "value": "v" * 151}]}]}],
     "/blocks/0/elements/0/options/0/value"),
    ([{"type": "input", "label": {"type": "plain_text", "text": "Why"},
       "element": {"type": "plain_text_input", "action_id": "why", "min_length": 10, "max_length": 5}}],
     "/blocks/0/element/min_length"),
])
async def test_invalid_message_blocks_are_rejected(client: AsyncWebClient, ws: Workspace, room: str,
                                                   blocks: list[dict[str, Any]], pointer: str) -> None:
    exc = await slack_error(client.chat_postMessage(channel=room, text="fallback", blocks=blocks))
    assert error_of(exc) == "invalid_blocks"
    messages = exc.response["response_metadata"]["messages"]
    assert any(m.startswith("[ERROR] ") and f"[json-pointer:{pointer}" in m for m in messages), messages
    assert ws.messages_in(room) == []


async def test_blocks_must_be_a_json_list(client: AsyncWebClient, room: str) -> None:
    exc = await slack_error(client.api_call("chat.postMessage", data={"channel": room, "blocks": "{not json"}))
    assert error_of(exc) == "invalid_blocks_format"
    exc = await slack_error(client.api_call("chat.postMessage", json={"channel": room, "blocks": {"type": "divider"}}))
    assert error_of(exc) == "invalid_blocks_format"


async def test_blocks_built_with_slack_sdk_models_are_accepted(client: AsyncWebClient, ws: Workspace,
                                                               room: str) -> None:
    sev = [Option(text=f"SEV{i}", value=f"sev{i}") for i in (1, 2, 3)]
    blocks = [
        HeaderBlock(text="Incident #42"),
        SectionBlock(text=MarkdownTextObject(text="*Card payments failing*"), fields=[
            MarkdownTextObject(text="*Severity*\nSEV1"), MarkdownTextObject(text="*IC*\n<@U1>")],
            accessory=OverflowMenuElement(action_id="more", options=sev[:2])),
        DividerBlock(),
        ActionsBlock(block_id="actions", elements=[
            ButtonElement(text="Acknowledge", action_id="ack", value="42", style="primary"),
            StaticSelectElement(action_id="sev", placeholder="Severity", options=sev, initial_option=sev[0]),
            UserSelectElement(action_id="ic", placeholder="Pick an IC"),
            CheckboxesElement(action_id="flags", options=[Option(text="Customer impact", value="impact")]),
        ]),
        ContextBlock(elements=[MarkdownTextObject(text="Declared by <@U1>")]),
    ]
    await client.chat_postMessage(channel=room, text="Incident #42", blocks=blocks)
    assert len(ws.messages_in(room)[0].blocks) == 5


def test_block_problems_as_pure_function() -> None:
    assert block_problems([section(), {"type": "divider"}]) == []
    problems = block_problems([{"type": "image", "image_url": "https://x.test/a.png"}])
    assert problems == ["[ERROR] missing required field: alt_text [json-pointer:/blocks/0]"]


# -- views --------------------------------------------------------------------------------------------
def text_input(**kw: Any) -> dict[str, Any]:
    return {"type": "input", "block_id": "why", "label": {"type": "plain_text", "text": "Why"},
            "element": {"type": "plain_text_input", "action_id": "why", **kw}}


SUBMIT = {"type": "plain_text", "text": "Declare"}


@pytest.mark.parametrize("view, fragment", [
    (modal(title={"type": "plain_text", "text": "t" * 25}), "/view/title/text"),
    (modal(submit={"type": "plain_text", "text": "s" * 25}), "/view/submit/text"),
    (modal([text_input()]), "submit"),
    (modal([text_input(max_length=0)], submit=SUBMIT), "/view/blocks/0/element/max_length"),
    (modal([text_input(min_length=3001)], submit=SUBMIT), "/view/blocks/0/element/min_length"),
    (modal([section()] * 101), "/view/blocks]"),
    (modal(private_metadata="m" * 3001), "/view/private_metadata"),
    (modal(callback_id="c" * 256), "/view/callback_id"),
    ({"type": "modal", "blocks": []}, "missing required field: title"),
    (modal([{"type": "input", "label": {"type": "plain_text", "text": "x"}}], submit=SUBMIT), "element"),
])
async def test_invalid_views_are_rejected(client: AsyncWebClient, emu: SlackEmulator, alice: str,
                                          view: dict[str, Any], fragment: str) -> None:
    trigger = emu.new_trigger_id(alice)
    exc = await slack_error(client.views_open(trigger_id=trigger, view=view))
    assert error_of(exc) == "invalid_arguments"
    assert any(fragment in m for m in exc.response["response_metadata"]["messages"]), exc.response
    assert emu.workspace.views == {}
    await client.views_open(trigger_id=trigger, view=modal())  # a refused view does not spend the trigger


async def test_views_built_with_slack_sdk_models_are_accepted(client: AsyncWebClient, emu: SlackEmulator,
                                                              alice: str) -> None:
    view = View(type="modal", callback_id="declare", title="Declare an incident", submit="Declare", close="Cancel",
                blocks=[InputBlock(block_id="title", label="What is broken?",
                                   element=PlainTextInputElement(action_id="title", max_length=150)),
                        InputBlock(block_id="sev", label="Severity", element=StaticSelectElement(
                            action_id="sev", options=[Option(text="SEV1", value="sev1")])),
                        InputBlock(block_id="ic", label="Commander", optional=True,
                                   element=UserSelectElement(action_id="ic"))])
    resp = await client.views_open(trigger_id=emu.new_trigger_id(alice), view=view)
    assert resp["view"]["callback_id"] == "declare"


async def test_view_too_large(client: AsyncWebClient, emu: SlackEmulator, alice: str) -> None:
    big = modal([section("x" * 2900)] * 90)
    exc = await slack_error(client.views_open(trigger_id=emu.new_trigger_id(alice), view=big))
    assert error_of(exc) == "view_too_large"
    assert view_error(big) == "view_too_large"


async def test_trigger_id_is_single_use_and_short_lived(client: AsyncWebClient, emu: SlackEmulator,
                                                        alice: str) -> None:
    trigger = emu.new_trigger_id(alice)
    resp = await client.views_open(trigger_id=trigger, view=modal([text_input()], submit=SUBMIT))
    view = resp["view"]
    assert view["id"].startswith("V") and view["hash"] and view["state"] == {"values": {}}
    assert emu.workspace.open_modal(alice).id == view["id"]  # type: ignore[union-attr]
    assert error_of(await slack_error(client.views_open(trigger_id=trigger, view=modal()))) == "exchanged_trigger_id"
    assert error_of(await slack_error(client.views_open(trigger_id="1.2.abc", view=modal()))) == "invalid_trigger_id"
    emu.trigger_ttl = 0.01
    late = emu.new_trigger_id(alice)
    await asyncio.sleep(0.03)
    assert error_of(await slack_error(client.views_open(trigger_id=late, view=modal()))) == "expired_trigger_id"


async def test_views_push_limit_update_and_publish(client: AsyncWebClient, emu: SlackEmulator, alice: str) -> None:
    root = (await client.views_open(trigger_id=emu.new_trigger_id(alice), view=modal()))["view"]
    second = (await client.views_push(trigger_id=emu.new_trigger_id(alice), view=modal()))["view"]
    third = (await client.views_push(trigger_id=emu.new_trigger_id(alice), view=modal()))["view"]
    assert second["root_view_id"] == third["root_view_id"] == root["id"] and third["previous_view_id"] == second["id"]
    assert error_of(await slack_error(client.views_push(trigger_id=emu.new_trigger_id(alice), view=modal()))) \
        == "push_limit_reached"

    updated = await client.views_update(view_id=root["id"], hash=root["hash"], view=modal([section("v2")]))
    assert updated["view"]["hash"] != root["hash"]
    assert emu.workspace.views[root["id"]].view["blocks"] == [section("v2")]
    assert error_of(await slack_error(client.views_update(view_id=root["id"], hash=root["hash"], view=modal()))) \
        == "hash_conflict"
    assert error_of(await slack_error(client.views_update(view_id="V404", view=modal()))) == "not_found"

    home = {"type": "home", "blocks": [section("Your incidents")]}
    first = (await client.views_publish(user_id=alice, view=home))["view"]
    again = (await client.views_publish(user_id=alice, view=home))["view"]
    assert first["id"] == again["id"] and first["type"] == "home"
    assert error_of(await slack_error(client.views_publish(user_id=alice, view=modal()))) == "invalid_arguments"


# -- fault injection and rate limits ------------------------------------------------------------------------
async def test_injected_429_changes_nothing(client: AsyncWebClient, emu: SlackEmulator, room: str) -> None:
    emu.fail("chat.postMessage", "ratelimited", retry_after=7)
    exc = await slack_error(client.chat_postMessage(channel=room, text="hi"))
    assert exc.response.status_code == 429 and exc.response.headers["Retry-After"] == "7"
    assert error_of(exc) == "ratelimited"
    assert emu.workspace.messages_in(room) == []
    call = emu.workspace.calls[-1]
    assert (call.method, call.ok, call.error, call.status) == ("chat.postMessage", False, "ratelimited", 429)
    await client.chat_postMessage(channel=room, text="hi")  # only the next call failed
    assert len(emu.workspace.messages_in(room)) == 1


async def test_injected_500_and_custom_errors(client: AsyncWebClient, emu: SlackEmulator, ws: Workspace) -> None:
    emu.fail("conversations.create", "http_500")
    exc = await slack_error(client.conversations_create(name="inc-9"))
    assert exc.response.status_code == 500
    assert ws.channels == {} and ws.calls[-1].status == 500
    emu.fail("conversations.create", "restricted_action", times=2)
    for _ in range(2):
        assert error_of(await slack_error(client.conversations_create(name="inc-9"))) == "restricted_action"
    assert ws.channels == {}
    emu.fail("conversations.create", "http_500")
    emu.clear_faults()
    await client.conversations_create(name="inc-9")


async def test_timeouts_and_slow_answers(emu: SlackEmulator, room: str) -> None:
    impatient = AsyncWebClient(token=emu.bot_token, base_url=emu.api_url, timeout=0.1)
    emu.fail("chat.postMessage", "timeout", delay=0.3)
    with pytest.raises(asyncio.TimeoutError):
        await impatient.chat_postMessage(channel=room, text="slow")
    emu.slow("auth.test", 0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await impatient.auth_test()
    assert loop.time() - started >= 0.05


async def test_rate_limit_mode(client: AsyncWebClient, emu: SlackEmulator, ws: Workspace, room: str,
                               alice: str) -> None:
    emu.rate_limits = True
    for i in range(3):  # a short burst is fine
        await client.chat_postMessage(channel=room, text=f"m{i}")
    exc = await slack_error(client.chat_postMessage(channel=room, text="too fast"))
    assert exc.response.status_code == 429 and int(exc.response.headers["Retry-After"]) >= 1
    assert len(ws.messages_in(room)) == 3
    await client.chat_postMessage(channel=alice, text="another channel has its own budget")

    for i in range(20):  # tier 2: 20 a minute
        await client.conversations_create(name=f"inc-{i}")
    exc = await slack_error(client.conversations_create(name="inc-20"))
    assert exc.response.status_code == 429 and len(ws.channels) == 21


async def test_rate_limits_are_off_by_default(client: AsyncWebClient, room: str) -> None:
    for i in range(10):
        await client.chat_postMessage(channel=room, text=f"m{i}")


# -- response_url ---------------------------------------------------------------------------------------
async def test_response_url(emu: SlackEmulator, ws: Workspace, alice: str, room: str) -> None:
    url = emu.new_response_url(room, alice)
    hook = AsyncWebhookClient(url)
    resp = await hook.send(text="Only you can see this")
    assert (resp.status_code, resp.body) == (200, "ok")
    assert [(e.text, e.via) for e in ws.ephemerals_for(alice)] == [("Only you can see this", "response_url")]
    await hook.send(text="Declared", response_type="in_channel")
    assert [m.text for m in ws.messages_in(room)] == ["Declared"]
    await hook.send(text="Replaced", replace_original=True)
    assert [e.text for e in ws.ephemerals_for(alice)] == ["Replaced"]
    bad = await hook.send(blocks=[{"type": "header", "text": {"type": "plain_text", "text": "h" * 200}}])
    assert (bad.status_code, bad.body) == (400, "invalid_blocks")
    await hook.send(delete_original=True)
    await hook.send(text="fifth")
    assert ws.ephemerals_for(alice)[-1].text == "fifth"
    assert (await hook.send(text="sixth")).status_code == 404  # 5 uses at most
    assert (await AsyncWebhookClient(emu.base_url + "/response/nope").send(text="x")).status_code == 404


async def test_response_url_replaces_the_source_message(emu: SlackEmulator, client: AsyncWebClient,
                                                        ws: Workspace, alice: str, room: str) -> None:
    ts = (await client.chat_postMessage(channel=room, text="Acknowledge?"))["ts"]
    hook = AsyncWebhookClient(emu.new_response_url(room, alice, message_ts=ts))
    await hook.send(text="Acknowledged by Alice", replace_original=True)
    assert ws.message(room, ts).text == "Acknowledged by Alice"  # type: ignore[union-attr]


# -- files (upload v2) ---------------------------------------------------------------------------------
async def test_files_upload_v2_end_to_end(client: AsyncWebClient, ws: Workspace, room: str) -> None:
    resp = await client.files_upload_v2(channel=room, content="timeline,csv\n1,2\n", filename="timeline.csv",
                                        title="Timeline", initial_comment="Postmortem timeline")
    file_id = resp["file"]["id"]
    stored = ws.files[file_id]
    assert stored.content == b"timeline,csv\n1,2\n" and stored.title == "Timeline" and stored.channels == [room]
    msg = ws.messages_in(room)[-1]
    assert msg.files == [file_id] and msg.text == "Postmortem timeline"


async def test_complete_upload_of_unknown_file(client: AsyncWebClient, room: str) -> None:
    exc = await slack_error(client.files_completeUploadExternal(files=[{"id": "F404", "title": "x"}], channel_id=room))
    assert error_of(exc) == "file_not_found"


# -- debugging ------------------------------------------------------------------------------------------
async def test_state_dump(emu: SlackEmulator, client: AsyncWebClient, room: str) -> None:
    await client.chat_postMessage(channel=room, text="hello")
    async with aiohttp.ClientSession() as session, session.get(emu.base_url + "/_emulator/state") as resp:
        state = await resp.json()
    assert state["messages"][room][0]["text"] == "hello"
    assert {c["id"] for c in state["channels"]} == {room}


async def test_history_is_newest_first_with_inclusive_bounds(client: AsyncWebClient, ws: Workspace,
                                                             room: str) -> None:
    posted = [(await client.chat_postMessage(channel=room, text=f"m{i}"))["ts"] for i in range(3)]
    got = await client.conversations_history(channel=room)
    assert [m["text"] for m in got["messages"]] == ["m2", "m1", "m0"] and got["has_more"] is False
    one = await client.conversations_history(channel=room, latest=posted[1], inclusive=True, limit=1)
    assert [m["text"] for m in one["messages"]] == ["m1"] and one["has_more"] is True
    none = await client.conversations_history(channel=room, latest=posted[1], oldest=posted[1])
    assert none["messages"] == []
