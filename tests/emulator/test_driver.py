"""The driver talks to bots as Slack does: Bolt must accept and parse everything it sends.

Two servers stand in for the bot: a recorder that checks signatures itself and answers
whatever a test asks for, and a real Bolt AsyncApp behind aiohttp (Bolt verifies the
signature and parses the payloads, so a shape it does not know fails the test).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.signature import SignatureVerifier

from bot.emulator.driver import (
    ClientSideInvalid,
    Reply,
    SlackDriver,
    mention,
    normalize_blocks,
    sign,
)
from bot.emulator.state import Ephemeral, Message, View, Workspace

SECRET = "test-signing-secret"


# -- fixtures ------------------------------------------------------------------------
@dataclass
class Recorder:
    """A bot stand-in: verifies signatures, records requests, answers as told."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, str, float]] = field(default_factory=list)  # (status, body, delay) queue
    verifier: SignatureVerifier = field(default_factory=lambda: SignatureVerifier(SECRET))

    def answer(self, body: Any = "", *, status: int = 200, delay: float = 0.0) -> None:
        self.answers.append((status, body if isinstance(body, str) else json.dumps(body), delay))

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        valid = self.verifier.is_valid_request(raw, dict(request.headers))
        self.requests.append({"headers": dict(request.headers), "body": raw.decode(), "valid": valid})
        if not valid:
            return web.Response(status=401)
        status, body, delay = self.answers.pop(0) if self.answers else (200, "", 0.0)
        if delay:
            await asyncio.sleep(delay)
        ctype = "application/json" if body.startswith("{") else "text/plain"
        return web.Response(status=status, text=body, content_type=ctype)

    @property
    def last(self) -> dict[str, Any]:
        return self.requests[-1]

    def last_payload(self) -> dict[str, Any]:
        return json.loads(parse_qs(self.last["body"])["payload"][0])

    def last_form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.last["body"], keep_blank_values=True).items()}


async def _serve(handler: Any) -> TestServer:
    app = web.Application()
    app.router.add_post("/slack/events", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.fixture
def ws() -> Workspace:
    w = Workspace()
    w.add_user("alice", "Alice Ops", user_id="U0ALICE")
    w.add_user("bob", user_id="U0BOB")
    w.add_channel("payments-alerts", members=["U0ALICE", "U0BOB"], bot_member=True)
    w.add_channel("inc-secret", is_private=True, members=["U0ALICE"], bot_member=True)
    return w


class Counters:
    def __init__(self) -> None:
        self.n = itertools.count(1)
        self.response_urls: list[tuple[str, str]] = []

    def trigger(self, user: str) -> str:
        return f"{next(self.n)}.{user}.trigger"

    def response_url(self, channel: str, user: str) -> str:
        self.response_urls.append((channel, user))
        return f"http://127.0.0.1:9/response/{channel}/{user}/{next(self.n)}"


async def _driver(ws: Workspace, server: TestServer, **kw: Any) -> SlackDriver:
    c = Counters()
    return SlackDriver(ws, app_url=str(server.make_url("/slack/events")), signing_secret=SECRET,
                       new_trigger_id=c.trigger, new_response_url=c.response_url, **kw)


@pytest.fixture
async def recorder(ws: Workspace) -> AsyncIterator[tuple[Recorder, SlackDriver]]:
    rec = Recorder()
    server = await _serve(rec.handle)
    driver = await _driver(ws, server)
    yield rec, driver
    await driver.close()
    await server.close()


@dataclass
class Bolt:
    app: AsyncApp
    driver: SlackDriver
    seen: list[dict[str, Any]]


async def _authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None,
                     logger: Any) -> AuthorizeResult:
    # no Web API here: the tests only look at what Bolt parsed and acked
    return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-emulator",
                           bot_id="B0EMULATOR", bot_user_id="U0BOT")


@pytest.fixture
async def bolt(ws: Workspace) -> AsyncIterator[Bolt]:
    app = AsyncApp(signing_secret=SECRET, authorize=_authorize, process_before_response=True)

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    server = await _serve(handle)
    driver = await _driver(ws, server)
    yield Bolt(app, driver, [])
    await driver.close()
    await server.close()


INCIDENT_MESSAGE_BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "SEV2 Checkout errors"}},
    {"type": "actions", "block_id": "controls", "elements": [
        {"type": "button", "action_id": "ack", "text": {"type": "plain_text", "text": "Acknowledge"},
         "value": "INC-7", "style": "primary"},
        {"type": "static_select", "action_id": "severity",
         "placeholder": {"type": "plain_text", "text": "Severity"},
         "initial_option": {"text": {"type": "plain_text", "text": "SEV2"}, "value": "sev2"},
         "options": [{"text": {"type": "plain_text", "text": s.upper()}, "value": s} for s in ("sev1", "sev2", "sev3")]},
        {"type": "users_select", "action_id": "commander", "placeholder": {"type": "plain_text", "text": "Commander"}},
    ]},
]


def _post(ws: Workspace, channel: str, blocks: list[dict[str, Any]], *, user: str = "U0BOT") -> Message:
    cid = ws.channel(channel).id  # type: ignore[union-attr]
    msg = Message(cid, ws.new_ts(), user, "SEV2 Checkout errors", blocks)
    ws.messages[cid].append(msg)
    return msg


DECLARE_VIEW = {
    "type": "modal",
    "callback_id": "declare",
    "private_metadata": '{"channel": "C1"}',
    "title": {"type": "plain_text", "text": "Declare incident"},
    "submit": {"type": "plain_text", "text": "Declare"},
    "close": {"type": "plain_text", "text": "Cancel"},
    "blocks": [
        {"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "Title"},
         "element": {"type": "plain_text_input", "action_id": "v", "max_length": 80}},
        {"type": "input", "block_id": "severity", "label": {"type": "plain_text", "text": "Severity"},
         "element": {"type": "static_select", "action_id": "v",
                     "initial_option": {"text": {"type": "plain_text", "text": "SEV3"}, "value": "sev3"},
                     "options": [{"text": {"type": "plain_text", "text": s.upper()}, "value": s}
                                 for s in ("sev1", "sev2", "sev3")]}},
        {"type": "input", "block_id": "commander", "optional": True,
         "label": {"type": "plain_text", "text": "Commander"},
         "element": {"type": "users_select", "action_id": "v"}},
        {"type": "input", "block_id": "services", "optional": True,
         "label": {"type": "plain_text", "text": "Services"},
         "element": {"type": "multi_static_select", "action_id": "v",
                     "options": [{"text": {"type": "plain_text", "text": s}, "value": s}
                                 for s in ("api", "ledger", "psp")]}},
        {"type": "input", "block_id": "started", "optional": True,
         "label": {"type": "plain_text", "text": "Started"},
         "element": {"type": "datepicker", "action_id": "v", "initial_date": "2024-05-01"}},
        {"type": "input", "block_id": "summary", "optional": True,
         "label": {"type": "plain_text", "text": "Summary"},
         "element": {"type": "plain_text_input", "action_id": "v", "multiline": True, "initial_value": "tbd"}},
    ],
}


def _open(ws: Workspace, user: str, view: dict[str, Any], **kw: Any) -> View:
    vid = ws.new_id("V")
    v = View(id=vid, type="modal", user=user, view=json.loads(json.dumps(view)), hash="1.abc",
             root_view_id=kw.pop("root_view_id", vid), **kw)
    ws.views[vid] = v
    return v


# -- signing and transport -------------------------------------------------------------
def test_sign_matches_slack_sdk() -> None:
    body = b"token=x&text=hello"
    assert sign(SECRET, 1700000000, body) == SignatureVerifier(SECRET).generate_signature(
        timestamp="1700000000", body=body)


def test_mention_forms(ws: Workspace) -> None:
    assert mention("U0ALICE", "alice") == "<@U0ALICE|alice>"
    assert mention(ws.users["U0BOB"]) == "<@U0BOB|bob>"


async def test_command_is_signed_form_with_slack_fields(ws: Workspace, recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    rec.answer({"text": "Which incident?", "response_type": "ephemeral"})
    reply = await driver.command("U0ALICE", "#payments-alerts", f"page {driver.mention('U0BOB')}")
    assert rec.last["valid"]
    assert rec.last["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    form = rec.last_form()
    cid = ws.channel("payments-alerts").id  # type: ignore[union-attr]
    assert form == {
        "token": form["token"], "team_id": ws.team_id, "team_domain": "emulated-payments",
        "channel_id": cid, "channel_name": "payments-alerts", "user_id": "U0ALICE", "user_name": "alice",
        "command": "/incident", "text": "page <@U0BOB|bob>", "api_app_id": "A0EMULATOR",
        "is_enterprise_install": "false", "response_url": reply.response_url, "trigger_id": reply.trigger_id,
    }
    assert reply.ok and reply.elapsed > 0
    assert [(e.user, e.text, e.via) for e in ws.ephemerals] == [("U0ALICE", "Which incident?", "ack")]


async def test_command_in_channel_answer_posts_a_message(ws: Workspace,
                                                         recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    rec.answer({"response_type": "in_channel", "text": "Incident declared"})
    await driver.command("U0ALICE", "payments-alerts", "declare", command="/inc")
    assert rec.last_form()["command"] == "/inc"
    assert [(m.user, m.text) for m in ws.messages_in("payments-alerts")] == [("U0BOT", "Incident declared")]
    assert ws.ephemerals == []


async def test_command_in_a_dm_and_private_channel_names(ws: Workspace, recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    await driver.command("U0ALICE", "D0DM", "help")
    assert rec.last_form()["channel_name"] == "directmessage"
    await driver.command("U0ALICE", "inc-secret", "help")
    assert rec.last_form()["channel_name"] == "inc-secret"


async def test_http_error_and_slow_answers_show_nothing(ws: Workspace, recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    rec.answer({"text": "boom"}, status=500)
    reply = await driver.command("U0ALICE", "payments-alerts", "x")
    assert reply.status == 500 and reply.slack_error == "http_error" and not reply.ok
    driver.ack_timeout = 0.05
    rec.answer({"text": "too late"}, delay=0.2)
    reply = await driver.command("U0ALICE", "payments-alerts", "x")
    assert reply.slack_error == "operation_timeout" and reply.elapsed >= 0.2
    assert ws.ephemerals == []


async def test_bolt_rejects_bad_signature_and_stale_timestamp(bolt: Bolt) -> None:
    seen = bolt.seen

    @bolt.app.command("/incident")
    async def on_command(ack: Any, command: dict[str, Any]) -> None:
        seen.append(command)
        await ack()

    body = b"command=%2Fincident&text=x&user_id=U0ALICE&team_id=T0EMULATOR"
    assert (await bolt.driver.raw(body, "application/x-www-form-urlencoded", signature="v0=deadbeef")).status == 401
    stale = await bolt.driver.raw(body, "application/x-www-form-urlencoded", timestamp=1_000_000_000)
    assert stale.status == 401
    assert (await bolt.driver.raw(body, "application/x-www-form-urlencoded")).status == 200
    assert len(seen) == 1


# -- Bolt end to end -------------------------------------------------------------------
async def test_bolt_command_ack_becomes_ephemeral(ws: Workspace, bolt: Bolt) -> None:
    @bolt.app.command("/incident")
    async def on_command(ack: Any, command: dict[str, Any]) -> None:
        bolt.seen.append(command)
        await ack(f"Declaring: {command['text']}")

    reply = await bolt.driver.command("U0ALICE", "payments-alerts", "checkout 500s")
    assert reply.status == 200, reply.body
    cmd = bolt.seen[0]
    assert (cmd["user_name"], cmd["channel_name"], cmd["text"]) == ("alice", "payments-alerts", "checkout 500s")
    assert cmd["trigger_id"] == reply.trigger_id
    assert ws.ephemerals_for("U0ALICE")[0].text == "Declaring: checkout 500s"


async def test_bolt_button_click(ws: Workspace, bolt: Bolt) -> None:
    @bolt.app.action("ack")
    async def on_ack(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        bolt.seen.append(body)
        await ack()

    msg = _post(ws, "payments-alerts", INCIDENT_MESSAGE_BLOCKS)
    reply = await bolt.driver.click("U0BOB", msg, "ack")
    assert reply.ok, reply.body
    body = bolt.seen[0]
    action = body["actions"][0]
    assert (action["type"], action["value"], action["block_id"]) == ("button", "INC-7", "controls")
    assert body["container"] == {"type": "message", "message_ts": msg.ts, "channel_id": msg.channel,
                                 "is_ephemeral": False}
    assert body["channel"] == {"id": msg.channel, "name": "payments-alerts"}
    assert body["message"]["ts"] == msg.ts and body["message"]["bot_id"] == "B0EMULATOR"
    assert body["user"]["name"] == "bob" and body["response_url"] == reply.response_url
    # the selects in the message report their current state
    assert body["state"]["values"]["controls"]["severity"]["selected_option"]["value"] == "sev2"
    assert body["state"]["values"]["controls"]["commander"] == {"type": "users_select", "selected_user": None}
    # clicking by label works as a person would
    await bolt.driver.click("U0BOB", msg, "Acknowledge")
    assert bolt.seen[1]["actions"][0]["action_id"] == "ack"


async def test_bolt_static_and_users_select(ws: Workspace, bolt: Bolt) -> None:
    @bolt.app.action("severity")
    async def on_severity(ack: Any, action: dict[str, Any], body: dict[str, Any]) -> None:
        bolt.seen.append(body)
        await ack()

    @bolt.app.action("commander")
    async def on_commander(ack: Any, action: dict[str, Any], body: dict[str, Any]) -> None:
        bolt.seen.append(body)
        await ack()

    msg = _post(ws, "payments-alerts", INCIDENT_MESSAGE_BLOCKS)
    assert (await bolt.driver.select("U0ALICE", msg, "severity", "sev1")).ok
    action = bolt.seen[0]["actions"][0]
    assert action["selected_option"] == {"text": {"type": "plain_text", "text": "SEV1"}, "value": "sev1"}
    assert bolt.seen[0]["state"]["values"]["controls"]["severity"]["selected_option"]["value"] == "sev1"
    with pytest.raises(ValueError, match="no option"):
        await bolt.driver.select("U0ALICE", msg, "severity", "sev9")
    assert (await bolt.driver.click("U0ALICE", msg, "commander", value="U0BOB")).ok
    assert bolt.seen[1]["actions"][0]["selected_user"] == "U0BOB"
    with pytest.raises(ValueError, match="no user"):
        await bolt.driver.select("U0ALICE", msg, "commander", "U0NOBODY")
    assert len(bolt.seen) == 2


async def test_bolt_view_submission_errors_then_success(ws: Workspace, bolt: Bolt) -> None:
    @bolt.app.view("declare")
    async def on_declare(ack: Any, view: dict[str, Any], body: dict[str, Any]) -> None:
        bolt.seen.append(body)
        title = view["state"]["values"]["title"]["v"]["value"]
        if "?" in title:
            await ack(response_action="errors", errors={"title": "No question marks"})
        else:
            await ack()

    v = _open(ws, "U0ALICE", DECLARE_VIEW)
    reply = await bolt.driver.submit("U0ALICE", {"title": "Checkout down?", "severity": "sev1",
                                                 "Commander": "U0BOB", "services": ["api", "psp"]})
    assert reply.status == 200
    assert reply.errors == {"title": "No question marks"} and reply.slack_error is None
    assert ws.open_modal("U0ALICE") is v and v.errors == reply.errors and reply.view is v
    body = bolt.seen[0]
    assert body["view"]["id"] == v.id and body["view"]["private_metadata"] == '{"channel": "C1"}'
    assert body["view"]["callback_id"] == "declare" and body["view"]["root_view_id"] == v.id
    values = body["view"]["state"]["values"]
    assert values["title"]["v"] == {"type": "plain_text_input", "value": "Checkout down?"}
    assert values["severity"]["v"]["selected_option"]["value"] == "sev1"
    assert values["commander"]["v"] == {"type": "users_select", "selected_user": "U0BOB"}
    assert [o["value"] for o in values["services"]["v"]["selected_options"]] == ["api", "psp"]
    assert values["started"]["v"] == {"type": "datepicker", "selected_date": "2024-05-01"}  # untouched: initial
    assert values["summary"]["v"]["value"] == "tbd"
    assert body["user"]["id"] == "U0ALICE" and body["response_urls"] == []

    reply = await bolt.driver.submit("U0ALICE", {"title": "Checkout down", "summary": None})
    assert reply.ok and reply.body == ""
    assert bolt.seen[1]["view"]["state"]["values"]["summary"]["v"]["value"] is None
    assert bolt.seen[1]["view"]["state"]["values"]["severity"]["v"]["selected_option"]["value"] == "sev3"
    assert ws.open_modal("U0ALICE") is None and reply.view is None


async def test_bolt_view_closed_only_when_asked(ws: Workspace, bolt: Bolt) -> None:
    @bolt.app.view_closed("declare")
    async def on_closed(ack: Any, body: dict[str, Any]) -> None:
        bolt.seen.append(body)
        await ack()

    _open(ws, "U0ALICE", DECLARE_VIEW)
    reply = await bolt.driver.close_modal("U0ALICE")
    assert reply.status == 0 and bolt.seen == [] and ws.open_modal("U0ALICE") is None

    _open(ws, "U0ALICE", {**DECLARE_VIEW, "notify_on_close": True})
    reply = await bolt.driver.close_modal("U0ALICE")
    assert reply.status == 200
    assert bolt.seen[0]["type"] == "view_closed" and bolt.seen[0]["is_cleared"] is False
    assert ws.open_modal("U0ALICE") is None


async def test_bolt_events_and_url_verification(ws: Workspace, bolt: Bolt) -> None:
    @bolt.app.event("app_mention")
    async def on_mention(event: dict[str, Any], body: dict[str, Any]) -> None:
        bolt.seen.append(body)

    @bolt.app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        bolt.seen.append({"message": event})

    msg, replies = await bolt.driver.post_message("U0ALICE", "payments-alerts", "<@U0BOT> status?")
    assert [r.status for r in replies] == [200, 200]
    assert bolt.seen[0]["message"]["ts"] == msg.ts and bolt.seen[0]["message"]["channel_type"] == "channel"
    assert bolt.seen[1]["event"]["type"] == "app_mention" and bolt.seen[1]["event"]["text"] == "<@U0BOT> status?"
    assert ws.messages_in("payments-alerts") == [msg]

    reply = await bolt.driver.event({"type": "app_mention", "user": "U0BOB", "text": "<@U0BOT> hi",
                                     "channel": msg.channel, "ts": "1.000001"}, retry_num=1)
    assert reply.status == 200 and bolt.seen[-1]["event"]["event_ts"] == "1.000001"

    reply = await bolt.driver.url_verification("abc123")
    assert reply.status == 200 and reply.json == {"challenge": "abc123"}


# -- view submission answers, as Slack applies them -----------------------------------
async def test_submit_plain_ack_closes_only_the_submitted_view(ws: Workspace,
                                                               recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    root = _open(ws, "U0ALICE", DECLARE_VIEW)
    pushed = _open(ws, "U0ALICE", {**DECLARE_VIEW, "callback_id": "details"}, root_view_id=root.id,
                   previous_view_id=root.id)
    reply = await driver.submit("U0ALICE", {"title": "x"})
    assert rec.last_payload()["view"]["previous_view_id"] == root.id
    assert reply.ok and pushed.id not in ws.views and reply.view is root


async def test_submit_update_push_clear(ws: Workspace, recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    root = _open(ws, "U0ALICE", DECLARE_VIEW)
    updated = {"type": "modal", "callback_id": "step2", "title": {"type": "plain_text", "text": "Step 2"},
               "submit": {"type": "plain_text", "text": "Next"}, "blocks": []}
    rec.answer({"response_action": "update", "view": updated})
    reply = await driver.submit("U0ALICE", {"title": "x"})
    assert reply.ok and reply.view is root and root.view == updated and root.hash != "1.abc"

    rec.answer({"response_action": "push", "view": {**updated, "callback_id": "step3"}})
    reply = await driver.submit("U0ALICE")
    top = ws.open_modal("U0ALICE")
    assert top is not None and top is not root and reply.view is top
    assert (top.view["callback_id"], top.previous_view_id, top.root_view_id) == ("step3", root.id, root.id)

    rec.answer({"response_action": "push", "view": updated})
    await driver.submit("U0ALICE")
    rec.answer({"response_action": "push", "view": updated})
    reply = await driver.submit("U0ALICE")
    assert reply.slack_error == "push_limit_reached" and len(ws.views) == 3

    rec.answer({"response_action": "clear"})
    reply = await driver.submit("U0ALICE")
    assert reply.ok and ws.views == {} and reply.view is None


async def test_submit_errors_for_unknown_block_is_a_slack_error(ws: Workspace,
                                                                recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    v = _open(ws, "U0ALICE", DECLARE_VIEW)
    rec.answer({"response_action": "errors", "errors": {"titel": "typo"}})
    reply = await driver.submit("U0ALICE", {"title": "x"})
    assert reply.errors == {"titel": "typo"} and "titel" in (reply.slack_error or "")
    assert ws.open_modal("U0ALICE") is v


async def test_slow_or_failing_submission_keeps_the_view(ws: Workspace,
                                                         recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    v = _open(ws, "U0ALICE", DECLARE_VIEW)
    driver.ack_timeout = 0.05
    rec.answer("", delay=0.2)
    assert (await driver.submit("U0ALICE", {"title": "x"})).slack_error == "operation_timeout"
    driver.ack_timeout = 3.0
    rec.answer("oops", status=500)
    assert (await driver.submit("U0ALICE", {"title": "x"})).slack_error == "http_error"
    rec.answer("not json")
    assert (await driver.submit("U0ALICE", {"title": "x"})).slack_error == "invalid_response"
    assert ws.open_modal("U0ALICE") is v


async def test_client_side_checks_before_submitting(ws: Workspace, recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    _open(ws, "U0ALICE", DECLARE_VIEW)
    with pytest.raises(ClientSideInvalid) as err:
        await driver.submit("U0ALICE", {"severity": None})
    assert set(err.value.errors) == {"title", "severity"}
    with pytest.raises(ClientSideInvalid, match="at most 80"):
        await driver.submit("U0ALICE", {"title": "x" * 81})
    with pytest.raises(LookupError, match="no block 'nope'"):
        await driver.submit("U0ALICE", {"nope": "x"})
    with pytest.raises(ValueError, match="no option"):
        await driver.submit("U0ALICE", {"title": "x", "severity": "sev9"})
    assert rec.requests == []
    await driver.submit("U0ALICE", {}, validate=False)  # a test can still send what the client would refuse
    assert rec.last_payload()["view"]["state"]["values"]["title"]["v"]["value"] is None


async def test_submit_without_open_modal(ws: Workspace, recorder: tuple[Recorder, SlackDriver]) -> None:
    _, driver = recorder
    with pytest.raises(LookupError, match="no modal open"):
        await driver.submit("U0ALICE", {"title": "x"})


async def test_close_modal_clear_on_close_closes_the_stack(ws: Workspace,
                                                           recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    root = _open(ws, "U0ALICE", DECLARE_VIEW)
    _open(ws, "U0ALICE", {**DECLARE_VIEW, "clear_on_close": True, "notify_on_close": True},
          root_view_id=root.id, previous_view_id=root.id)
    reply = await driver.close_modal("U0ALICE")
    assert reply.status == 200 and rec.last_payload()["is_cleared"] is True and ws.views == {}


async def test_view_action_and_typed_input_survive_to_submit(ws: Workspace,
                                                             recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    view = json.loads(json.dumps(DECLARE_VIEW))
    view["blocks"][1]["dispatch_action"] = True
    v = _open(ws, "U0ALICE", view)
    await driver.view_action("U0ALICE", "v", "sev1", block_id="severity", values={"title": "Ledger lag"})
    sent = rec.last_payload()
    assert sent["container"] == {"type": "view", "view_id": v.id} and "response_url" not in sent
    assert sent["actions"][0]["selected_option"]["value"] == "sev1"
    assert sent["view"]["state"]["values"]["title"]["v"]["value"] == "Ledger lag"
    await driver.submit("U0ALICE", {})
    values = rec.last_payload()["view"]["state"]["values"]
    assert values["title"]["v"]["value"] == "Ledger lag" and values["severity"]["v"]["selected_option"]["value"] == "sev1"


# -- other payload details -----------------------------------------------------------
async def test_ephemeral_click_has_no_message(ws: Workspace, recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    cid = ws.channel("payments-alerts").id  # type: ignore[union-attr]
    eph = Ephemeral(cid, "U0ALICE", "Pick one", INCIDENT_MESSAGE_BLOCKS)
    await driver.click("U0ALICE", eph, "ack")
    sent = rec.last_payload()
    assert sent["container"]["is_ephemeral"] is True and "message" not in sent
    assert sent["response_url"].startswith("http://")


async def test_missing_ids_are_filled_in_as_slack_does(ws: Workspace, recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    blocks = [{"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Resolve"}, "value": "r"}]}]
    msg = _post(ws, "payments-alerts", blocks)
    await driver.click("U0ALICE", msg, "Resolve")
    sent = rec.last_payload()
    block = sent["message"]["blocks"][0]
    assert sent["actions"][0]["block_id"] == block["block_id"]
    assert sent["actions"][0]["action_id"] == block["elements"][0]["action_id"]
    assert normalize_blocks(blocks, msg.ts) == sent["message"]["blocks"]  # stable across clicks
    assert "block_id" not in msg.blocks[0]  # the stored message is untouched


async def test_event_retry_headers_and_envelope(ws: Workspace, recorder: tuple[Recorder, SlackDriver]) -> None:
    rec, driver = recorder
    first = await driver.event({"type": "member_joined_channel", "user": "U0BOB", "channel": "C1"})
    again = await driver.event(first.payload["event"], retry_num=2, event_id=first.payload["event_id"])  # type: ignore[index]
    headers = rec.last["headers"]
    assert headers["X-Slack-Retry-Num"] == "2" and headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert "X-Slack-Retry-Num" not in rec.requests[0]["headers"]
    env = json.loads(rec.last["body"])
    assert env["type"] == "event_callback" and env["event_id"] == first.payload["event_id"]  # type: ignore[index]
    assert env["team_id"] == ws.team_id and env["api_app_id"] == "A0EMULATOR"
    assert rec.last["headers"]["Content-Type"] == "application/json"
    assert isinstance(again, Reply) and again.ok


async def test_for_emulator_uses_the_emulator_hooks(ws: Workspace) -> None:
    class FakeEmu:
        workspace = ws
        bot_id = "B0FAKE"

        def new_trigger_id(self, user: str) -> str:
            return "t"

        def new_response_url(self, channel: str, user: str) -> str:
            return "http://127.0.0.1:9/r"

    async with aiohttp.ClientSession() as session:
        driver = SlackDriver.for_emulator(FakeEmu(), app_url="http://127.0.0.1:9/slack/events",  # type: ignore[arg-type]
                                          signing_secret=SECRET, session=session)
        assert driver.workspace is ws and driver.bot_id == "B0FAKE" and driver.new_trigger_id("U") == "t"
        await driver.close()
        assert not session.closed  # a session handed in belongs to the caller


# -- against the real emulator -----------------------------------------------------------
async def test_round_trip_through_the_emulator() -> None:
    """Command → views.open with the trigger → submit with errors → fix → post; then a button's respond()."""
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.emulator.server import SlackEmulator

    async with SlackEmulator() as emu:
        ws = emu.workspace
        alice = ws.add_user("alice", user_id="U0ALICE")
        room = ws.add_channel("payments-alerts", members=[alice], bot_member=True)
        app = AsyncApp(signing_secret=SECRET, process_before_response=True,
                       client=AsyncWebClient(token=emu.bot_token, base_url=emu.api_url))

        @app.command("/incident")
        async def on_command(ack: Any, body: dict[str, Any], client: Any) -> None:
            await ack()
            await client.views_open(trigger_id=body["trigger_id"], view=DECLARE_VIEW)

        @app.view("declare")
        async def on_declare(ack: Any, view: dict[str, Any], client: Any) -> None:
            title = view["state"]["values"]["title"]["v"]["value"]
            if len(title) < 5:
                await ack(response_action="errors", errors={"title": "Say a bit more"})
                return
            await ack()
            await client.chat_postMessage(channel=room, text=title, blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}},
                {"type": "actions", "elements": [{"type": "button", "action_id": "resolve",
                                                  "text": {"type": "plain_text", "text": "Resolve"}}]}])

        @app.action("resolve")
        async def on_resolve(ack: Any, respond: Any) -> None:
            await ack()
            await respond(replace_original=True, text="Resolved")

        async def handle(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

        server = await _serve(handle)
        driver = SlackDriver.for_emulator(emu, app_url=str(server.make_url("/slack/events")), signing_secret=SECRET)
        try:
            reply = await driver.command(alice, room, "")
            assert reply.ok and reply.view is not None and reply.view.view["callback_id"] == "declare"
            reply = await driver.submit(alice, {"title": "Eh"})
            assert reply.errors == {"title": "Say a bit more"} and reply.view is not None
            reply = await driver.submit(alice, {"title": "Checkout 500s"})
            assert reply.ok and ws.open_modal(alice) is None
            card = ws.messages_in(room)[-1]
            assert card.text == "Checkout 500s"
            assert (await driver.click(alice, card, "resolve")).ok
            assert ws.message(room, card.ts).text == "Resolved"  # type: ignore[union-attr]
        finally:
            await driver.close()
            await server.close()
