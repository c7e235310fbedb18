"""The Slack client side, played against a running bot over real HTTP.

`SlackDriver` owns what Slack itself sends to an app's Request URL: signed slash
commands, block_actions / view_submission / view_closed payloads and Events API
envelopes, and what the Slack client does with the app's HTTP answer (an ephemeral
ack, response_action on a modal, the 3-second limit). Payload shapes follow what
Slack sends (and what slack-bolt's own tests use), so the bot under test cannot
tell the driver from Slack.

It reads and changes the emulator's `Workspace` (state.py): modals are closed,
updated or pushed here in answer to view submissions; everything the bot does
through the Web API is the server's (server.py) business.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import inspect
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp

from bot.emulator.blockkit import message_rejection, view_rejection
from bot.emulator.state import Ephemeral, Message, User, View, Workspace

if TYPE_CHECKING:  # the server is optional for the driver: tests may use stand-ins
    from bot.emulator.server import SlackEmulator

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Slack gives an app 3 seconds to answer a request before it gives up on it.
ACK_TIMEOUT = 3.0
# Over Socket Mode the driver waits this much longer for a late ack (judged late, as over HTTP).
SOCKET_GRACE = 2.0
MAX_VIEW_STACK = 3  # a modal holds at most three views
DEFAULT_APP_ID = "A0EMULATOR"
DEFAULT_BOT_ID = "B0EMULATOR"
VERIFICATION_TOKEN = "emulator-verification-token"  # legacy field, still sent by Slack

_TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
_ONE_OPTION = {"static_select", "external_select", "radio_buttons", "overflow"}
_MANY_OPTIONS = {"multi_static_select", "multi_external_select", "checkboxes"}
# element type -> (key Slack sends in state/actions, key of the element's initial value)
_PICKERS = {
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}
_MULTI = _MANY_OPTIONS | {"multi_users_select", "multi_conversations_select", "multi_channels_select"}
# Elements whose value Slack reports in view.state / block_actions state (buttons are not).
STATEFUL = (_TEXT_INPUTS | _ONE_OPTION | _MANY_OPTIONS | set(_PICKERS) | {"rich_text_input", "file_input"}) - {
    "overflow"}
# keys of a block_actions action that are not the picked value itself
_ACTION_ENVELOPE = {"type", "action_id", "block_id", "placeholder", "action_ts", "text", "style", "url"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def sign(signing_secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Slack-Signature Slack puts on a request body."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def mention(user: str | User, name: str | None = None) -> str:
    """A user mention as Slack writes it into an escaped slash command's text."""
    if isinstance(user, User):
        return f"<@{user.id}|{user.name}>"
    return f"<@{user}|{name}>" if name else f"<@{user}>"


class ClientSideInvalid(ValueError):
    """The Slack client would refuse to submit this modal (required field empty, too long...)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("Slack would not submit the view: " + "; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass
class Reply:
    """The bot's HTTP answer to one request, and what Slack made of it.

    `status == 0` means nothing was sent (e.g. closing a modal without notify_on_close).
    `slack_error` is what a person would see instead of the app's answer: the app was too
    slow ("operation_timeout"), answered with an HTTP error ("http_error"), or answered
    something Slack rejects (a push past three views, errors for unknown blocks...).
    """

    status: int
    body: str
    json: dict[str, Any] | None
    headers: dict[str, str]
    elapsed: float
    errors: dict[str, str] = field(default_factory=dict)
    view: View | None = None  # the user's top modal once the answer was applied
    trigger_id: str | None = None
    response_url: str | None = None
    slack_error: str | None = None
    payload: dict[str, Any] | None = None  # what was sent (decoded), for assertions

    @property
    def ok(self) -> bool:
        """Slack took the answer as given (nothing sent counts as fine)."""
        return (self.status == 0 or 200 <= self.status < 300) and self.slack_error is None


def _nothing_sent() -> Reply:
    return Reply(status=0, body="", json=None, headers={}, elapsed=0.0)


def _auto_id(seed: str, length: int) -> str:
    # Slack fills in block_id / action_id the app left out with short random ids;
    # deriving them from a seed keeps the payloads reproducible.
    digest = hashlib.sha1(seed.encode()).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


def normalize_blocks(blocks: list[dict[str, Any]], seed: str) -> list[dict[str, Any]]:
    """A copy of `blocks` with the block_id / action_id Slack would add where missing."""
    out = copy.deepcopy(blocks)
    for i, block in enumerate(out):
        block.setdefault("block_id", _auto_id(f"{seed}:{i}", 4))
        for j, el in enumerate(_elements(block)):
            if el.get("type") != "image":
                el.setdefault("action_id", _auto_id(f"{seed}:{i}:{j}", 5))
    return out


def _elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    """The interactive elements of one block (action blocks, accessories, inputs)."""
    t = block.get("type")
    if t == "actions":
        return [e for e in block.get("elements", []) if isinstance(e, dict)]
    if t == "section" and isinstance(block.get("accessory"), dict):
        acc = block["accessory"]
        return [acc] if acc.get("type") != "image" else []
    if t == "input" and isinstance(block.get("element"), dict):
        return [block["element"]]
    return []


def _iter_elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for block in blocks:
        for el in _elements(block):
            yield block, el


def _options(el: dict[str, Any]) -> list[dict[str, Any]]:
    opts = list(el.get("options") or [])
    for group in el.get("option_groups") or []:
        opts.extend(group.get("options") or [])
    return opts


def _plain(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def _find_option(el: dict[str, Any], value: Any) -> dict[str, Any]:
    if isinstance(value, dict):  # an option object given as is
        value = value.get("value")
    if el.get("type") in ("external_select", "multi_external_select"):
        # options come from the app's options endpoint: nothing to check them against
        return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
    for opt in _options(el):
        if opt.get("value") == value:
            return copy.deepcopy(opt)
    known = [o.get("value") for o in _options(el)]
    raise ValueError(f"{el.get('action_id')!r} has no option with value {value!r} (options: {known})")


SocketSend = Callable[..., Awaitable[dict[str, Any] | None]]


class SlackDriver:
    """Sends what Slack sends to the bot, signed, and applies the bot's answers as Slack does.

    Over HTTP by default (signed POSTs to `app_url`); with `socket` (a SlackEmulator.socket_send)
    the same payloads go out as Socket Mode envelopes and the ack's payload stands for the HTTP
    body: the Reply has status 200 and no headers once acked, status 0 and slack_error
    "operation_timeout" when no ack came. `raw()` and `url_verification()` are HTTP only.
    """

    def __init__(self, workspace: Workspace, *, app_url: str = "", signing_secret: str = "",
                 new_trigger_id: Callable[[str], str], new_response_url: Callable[[str, str], str],
                 session: aiohttp.ClientSession | None = None, command: str = "/incident",
                 api_app_id: str = DEFAULT_APP_ID, bot_id: str = DEFAULT_BOT_ID,
                 ack_timeout: float = ACK_TIMEOUT, dm_user: Callable[[str], str | None] | None = None,
                 dm_id: Callable[[str], str] | None = None, socket: SocketSend | None = None) -> None:
        if not app_url and socket is None:
            raise ValueError("SlackDriver needs an app_url (HTTP) or a socket (Socket Mode)")
        self.workspace = workspace
        self.socket = socket
        self.socket_grace = SOCKET_GRACE  # how long past ack_timeout to wait for a late Socket Mode ack
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.new_trigger_id = new_trigger_id
        self.new_response_url = new_response_url
        self.default_command = command
        self.api_app_id = api_app_id
        self.bot_id = bot_id
        self.ack_timeout = ack_timeout
        # The emulator keys a DM's messages by the user and hands out D ids for it; these map between them.
        self.dm_user = dm_user
        self.dm_id = dm_id
        try:
            self._url_takes_ts = "message_ts" in inspect.signature(new_response_url).parameters
        except (TypeError, ValueError):
            self._url_takes_ts = False
        self._session = session
        self._owns_session = session is None
        self._events = itertools.count(1)
        # What the user has typed or picked in a modal but not yet submitted, by view id.
        self._drafts: dict[str, dict[str, Any]] = {}

    @classmethod
    def for_emulator(cls, emu: SlackEmulator, *, app_url: str = "", signing_secret: str = "", socket: bool = False,
                     **kwargs: Any) -> SlackDriver:
        """A driver for a bot on `emu`: over HTTP to `app_url`, or with `socket` over the emulator's Socket Mode."""
        if socket:
            kwargs.setdefault("socket", emu.socket_send)
        kwargs.setdefault("api_app_id", getattr(emu, "app_id", None) or getattr(emu, "api_app_id", None)
                          or DEFAULT_APP_ID)
        kwargs.setdefault("bot_id", getattr(emu, "bot_id", None) or DEFAULT_BOT_ID)
        kwargs.setdefault("dm_user", getattr(emu, "dm_user", None))
        kwargs.setdefault("dm_id", getattr(emu, "dm_id", None))
        return cls(emu.workspace, app_url=app_url, signing_secret=signing_secret,
                   new_trigger_id=emu.new_trigger_id, new_response_url=emu.new_response_url, **kwargs)

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> SlackDriver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- names as Slack sends them ----------------------------------------
    def user_name(self, user_id: str) -> str:
        u = self.workspace.users.get(user_id)
        return u.name if u else user_id

    def channel_name(self, channel_id: str) -> str:
        ch = self.workspace.channels.get(channel_id)
        return ch.name if ch else "directmessage"

    def mention(self, user_id: str) -> str:
        return mention(user_id, self.user_name(user_id))

    def channel_ref(self, channel_id: str) -> str:
        ch = self.workspace.channels.get(channel_id)
        return f"<#{channel_id}|{ch.name}>" if ch else f"<#{channel_id}>"

    def _team(self) -> dict[str, Any]:
        domain = re.sub(r"[^a-z0-9]+", "-", self.workspace.team_name.lower()).strip("-")
        return {"id": self.workspace.team_id, "domain": domain}

    def _user(self, user_id: str) -> dict[str, Any]:
        name = self.user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.workspace.team_id}

    def _channel_id(self, channel: str) -> str:
        """The id Slack would send for `channel`: a channel id or name, a D id, or a DM's user key."""
        ch = self.workspace.channel(channel)
        if ch:
            return ch.id
        if self.dm_id and channel in self.workspace.users:
            return self.dm_id(channel)
        return channel

    def _message_key(self, channel_id: str) -> str:
        """Where the workspace keeps this conversation's messages (a DM under its user)."""
        return (self.dm_user(channel_id) if self.dm_user else None) or channel_id

    def _response_url(self, channel_id: str, user: str, message_ts: str | None = None) -> str:
        if message_ts and self._url_takes_ts:
            return self.new_response_url(channel_id, user, message_ts=message_ts)  # type: ignore[call-arg]
        return self.new_response_url(channel_id, user)

    # -- transport ----------------------------------------------------------
    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
            self._owns_session = True
        return self._session

    async def raw(self, body: bytes | str, content_type: str, *, timestamp: int | None = None,
                  signature: str | None = None, headers: Mapping[str, str] | None = None) -> Reply:
        """POST `body` to the app, signed unless `signature` is given (for bad-signature tests)."""
        if not self.app_url:
            raise RuntimeError("raw() posts over HTTP; this driver has no app_url (Socket Mode)")
        data = body.encode() if isinstance(body, str) else body
        ts = int(time.time()) if timestamp is None else timestamp
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature if signature is not None else sign(self.signing_secret, ts, data),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        sent.update(headers or {})
        start = time.perf_counter()
        async with self._http().post(self.app_url, data=data, headers=sent) as resp:
            text = await resp.text()
            elapsed = time.perf_counter() - start
            parsed: dict[str, Any] | None = None
            if text.strip().startswith("{"):
                try:
                    parsed = json.loads(text)
                except ValueError:
                    parsed = None
            return Reply(status=resp.status, body=text, json=parsed, headers=dict(resp.headers), elapsed=elapsed)

    async def _send_form(self, fields: dict[str, str]) -> Reply:
        if self.socket is not None:  # a slash command's envelope carries the form fields as an object
            return await self._over_socket("slash_commands", dict(fields))
        return await self.raw(urlencode(fields).encode(), FORM)

    async def _send_payload(self, payload: dict[str, Any]) -> Reply:
        if self.socket is not None:
            reply = await self._over_socket("interactive", payload)
        else:
            reply = await self.raw(urlencode({"payload": json.dumps(payload)}).encode(), FORM)
        reply.payload = payload
        return reply

    async def _over_socket(self, kind: str, payload: dict[str, Any], **envelope: Any) -> Reply:
        """Send one Socket Mode envelope; the ack's payload plays the HTTP answer's JSON body."""
        assert self.socket is not None
        start = time.perf_counter()
        try:
            ack = await self.socket(kind, payload, timeout=self.ack_timeout + self.socket_grace, **envelope)
        except TimeoutError:
            return Reply(status=0, body="", json=None, headers={}, elapsed=time.perf_counter() - start,
                         slack_error="operation_timeout", payload=payload)
        body = "" if ack is None else json.dumps(ack)
        return Reply(status=200, body=body, json=ack, headers={}, elapsed=time.perf_counter() - start,
                     payload=payload)

    def _judge(self, reply: Reply) -> bool:
        """Whether Slack takes the answer into account at all; sets slack_error if not."""
        if reply.slack_error is not None:  # e.g. no Socket Mode ack at all
            return False
        if reply.elapsed > self.ack_timeout:
            reply.slack_error = "operation_timeout"
        elif reply.status != 200:
            reply.slack_error = "http_error"
        return reply.slack_error is None

    # -- slash commands ------------------------------------------------------
    async def command(self, user: str, channel: str, text: str, *, command: str | None = None) -> Reply:
        """The user types `/incident <text>` in `channel` (an id or a name)."""
        channel_id = self._channel_id(channel)
        trigger_id = self.new_trigger_id(user)
        response_url = self._response_url(channel_id, user)
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.workspace.team_id,
            "team_domain": self._team()["domain"],
            "channel_id": channel_id,
            "channel_name": self.channel_name(channel_id),
            "user_id": user,
            "user_name": self.user_name(user),
            "command": command or self.default_command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        reply = await self._send_form(fields)
        reply.payload = dict(fields)
        reply.trigger_id, reply.response_url = trigger_id, response_url
        if self._judge(reply):
            self._show_command_answer(reply, channel_id, user)
        reply.view = self.workspace.open_modal(user)
        return reply

    def _show_command_answer(self, reply: Reply, channel: str, user: str) -> None:
        body = reply.body.strip()
        if not body:
            return  # an empty ack shows nothing
        if reply.json is None:
            self.workspace.ephemerals.append(Ephemeral(channel, user, body, via="ack"))
            return
        text, blocks = reply.json.get("text") or "", reply.json.get("blocks") or []
        if not text and not blocks:
            return
        rejection = message_rejection(text, blocks)
        if rejection:
            reply.slack_error = rejection.error
            return
        if reply.json.get("response_type") == "in_channel":
            key = self._message_key(channel)
            msg = Message(key, self.workspace.new_ts(), self.workspace.bot_user_id, text, list(blocks))
            self.workspace.messages.setdefault(key, []).append(msg)
        else:
            self.workspace.ephemerals.append(Ephemeral(channel, user, text, list(blocks), via="ack"))

    # -- message interactivity ----------------------------------------------
    async def click(self, user: str, message: Message | Ephemeral, action_id: str, *, value: Any = None,
                    block_id: str | None = None) -> Reply:
        """The user clicks a button (or picks `value` in a select) in a message.

        `action_id` may also be a button's label. `value` tells apart buttons sharing an
        action_id, and is the choice for selects.
        """
        seed = getattr(message, "ts", None) or f"eph:{id(message)}"
        blocks = normalize_blocks(message.blocks, seed)
        block, el = self._find(blocks, action_id, value=value, block_id=block_id)
        if el.get("type") == "button":
            return await self._message_action(user, message, blocks, block, el, self._button_action(block, el))
        if value is None:
            raise ValueError(f"{action_id!r} is a {el.get('type')}: pick a value")
        return await self._message_action(user, message, blocks, block, el, self._select_action(block, el, value))

    async def select(self, user: str, message: Message | Ephemeral, action_id: str, value: Any, *,
                     block_id: str | None = None) -> Reply:
        """The user picks `value` in a select menu (or overflow, date picker...) in a message."""
        blocks = normalize_blocks(message.blocks, getattr(message, "ts", None) or f"eph:{id(message)}")
        block, el = self._find(blocks, action_id, block_id=block_id)
        if el.get("type") == "button":
            raise ValueError(f"{action_id!r} is a button: use click()")
        return await self._message_action(user, message, blocks, block, el, self._select_action(block, el, value))

    def _find(self, blocks: list[dict[str, Any]], action_id: str, *, value: Any = None,
              block_id: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        found = [(b, e) for b, e in _iter_elements(blocks)
                 if e.get("action_id") == action_id and (block_id is None or b.get("block_id") == block_id)]
        if not found:  # a person clicks on what they read, so accept a button's label too
            found = [(b, e) for b, e in _iter_elements(blocks)
                     if e.get("type") == "button" and _plain(e.get("text")) == action_id
                     and (block_id is None or b.get("block_id") == block_id)]
        if len(found) > 1 and value is not None:
            found = [(b, e) for b, e in found if e.get("type") != "button" or e.get("value") == value]
        if not found:
            known = [e.get("action_id") for _, e in _iter_elements(blocks)]
            raise LookupError(f"no element {action_id!r} (value={value!r}) in these blocks; there are {known}")
        if len(found) > 1:
            raise LookupError(f"{len(found)} elements match {action_id!r}; pass value= or block_id=")
        return found[0]

    def _button_action(self, block: dict[str, Any], el: dict[str, Any]) -> dict[str, Any]:
        action: dict[str, Any] = {"action_id": el["action_id"], "block_id": block["block_id"],
                                  "text": el.get("text"), "type": "button"}
        for key in ("value", "style", "url"):
            if key in el:
                action[key] = el[key]
        action["action_ts"] = self._action_ts()
        return action

    def _select_action(self, block: dict[str, Any], el: dict[str, Any], value: Any) -> dict[str, Any]:
        action: dict[str, Any] = {"type": el.get("type"), "action_id": el["action_id"], "block_id": block["block_id"]}
        action.update(self._picked(el, value))
        if "placeholder" in el:
            action["placeholder"] = el["placeholder"]
        action["action_ts"] = self._action_ts()
        return action

    def _action_ts(self) -> str:
        return f"{time.time():.6f}"

    def _picked(self, el: dict[str, Any], value: Any) -> dict[str, Any]:
        """The {selected_...: ...} Slack reports for `value` chosen in element `el`."""
        t = el.get("type", "")
        if t in _TEXT_INPUTS:
            return {"value": None if value is None else str(value)}
        if t == "rich_text_input":
            if value is None or isinstance(value, dict):
                return {"rich_text_value": value}
            section = {"type": "rich_text_section", "elements": [{"type": "text", "text": str(value)}]}
            return {"rich_text_value": {"type": "rich_text", "elements": [section]}}
        if t in _ONE_OPTION:
            return {"selected_option": None if value is None else _find_option(el, value)}
        if t in _MANY_OPTIONS:
            return {"selected_options": [_find_option(el, v) for v in self._as_list(value)]}
        if t in _PICKERS:
            key = _PICKERS[t][0]
            if t in _MULTI:
                picked: Any = self._as_list(value)
            else:
                picked = value
            for uid in (picked if isinstance(picked, list) else [picked]):
                if t.endswith("users_select") and uid is not None and uid not in self.workspace.users:
                    raise ValueError(f"no user {uid!r} in the workspace to pick")
                if t.endswith("channels_select") and uid is not None and uid not in self.workspace.channels:
                    raise ValueError(f"no channel {uid!r} in the workspace to pick")
            return {key: picked}
        if t == "file_input":
            return {"files": self._as_list(value)}
        raise ValueError(f"{el.get('action_id')!r} is a {t!r}: it holds no value")

    @staticmethod
    def _as_list(value: Any) -> list[Any]:
        if value is None:
            return []
        return list(value) if isinstance(value, (list, tuple, set)) else [value]

    def _initial(self, el: dict[str, Any]) -> dict[str, Any]:
        """What Slack reports for an element the user has not touched."""
        t = el.get("type", "")
        if t in _TEXT_INPUTS:
            init = el.get("initial_value")
            return {"value": None if init is None else str(init)}
        if t == "rich_text_input":
            return {"rich_text_value": el.get("initial_value")}
        if t in _ONE_OPTION:
            return {"selected_option": copy.deepcopy(el.get("initial_option"))}
        if t in _MANY_OPTIONS:
            return {"selected_options": copy.deepcopy(el.get("initial_options") or [])}
        if t in _PICKERS:
            key, init_key = _PICKERS[t]
            default: Any = [] if t in _MULTI else None
            return {key: copy.deepcopy(el.get(init_key, default))}
        if t == "file_input":
            return {"files": []}
        return {}

    def _state(self, blocks: list[dict[str, Any]], chosen: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """state.values: every stateful element, with `chosen` {block: {action: picked}} over initials."""
        values: dict[str, dict[str, Any]] = {}
        for block, el in _iter_elements(blocks):
            if el.get("type") not in STATEFUL:
                continue
            bid, aid = block["block_id"], el["action_id"]
            picks = chosen.get(bid, {})
            entry = {"type": el["type"]}
            entry.update(picks[aid] if aid in picks else self._initial(el))
            values.setdefault(bid, {})[aid] = entry
        return values

    async def _message_action(self, user: str, message: Message | Ephemeral, blocks: list[dict[str, Any]],
                              block: dict[str, Any], el: dict[str, Any], action: dict[str, Any]) -> Reply:
        channel = self._channel_id(message.channel)
        ephemeral = isinstance(message, Ephemeral)
        ts = self.workspace.new_ts() if ephemeral else message.ts
        container: dict[str, Any] = {"type": "message", "message_ts": ts, "channel_id": channel,
                                     "is_ephemeral": ephemeral}
        thread_ts = getattr(message, "thread_ts", None)
        if thread_ts:
            container["thread_ts"] = thread_ts
        chosen: dict[str, dict[str, Any]] = {}
        if el.get("type") in STATEFUL:
            picked = {k: v for k, v in action.items() if k not in _ACTION_ENVELOPE}
            chosen[block["block_id"]] = {el["action_id"]: picked}
        trigger_id = self.new_trigger_id(user)
        response_url = self._response_url(channel, user, None if ephemeral else message.ts)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "container": container,
            "trigger_id": trigger_id,
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": self.channel_name(channel)},
        }
        if not ephemeral:  # Slack leaves the message out for ephemeral ones
            msg: dict[str, Any] = {"type": "message", "user": message.user, "ts": message.ts,
                                   "text": message.text, "blocks": blocks, "team": self.workspace.team_id}
            if message.user == self.workspace.bot_user_id:
                msg["bot_id"] = self.bot_id
            if thread_ts:
                msg["thread_ts"] = thread_ts
            payload["message"] = msg
        payload["state"] = {"values": self._state(blocks, chosen)}
        payload["response_url"] = response_url
        payload["actions"] = [action]
        reply = await self._send_payload(payload)
        reply.trigger_id, reply.response_url = trigger_id, response_url
        self._judge(reply)
        reply.view = self.workspace.open_modal(user)
        return reply

    # -- modals ----------------------------------------------------------------
    def _top(self, user: str, view: View | None) -> View:
        v = view or self.workspace.open_modal(user)
        if v is None:
            raise LookupError(f"{user} has no modal open")
        return v

    def _stack(self, v: View) -> list[View]:
        return [x for x in self.workspace.views.values()
                if x.type == "modal" and x.user == v.user and x.root_view_id == v.root_view_id]

    def _resolve_values(self, blocks: list[dict[str, Any]], values: Mapping[str, Any], *,
                        strict: bool) -> dict[str, dict[str, Any]]:
        """`values` ({block_id or input label: input}) as {block_id: {action_id: picked}}."""
        by_label = {_plain(b.get("label")): b for b in blocks if b.get("type") == "input"}
        by_id = {b["block_id"]: b for b in blocks}
        chosen: dict[str, dict[str, Any]] = {}
        for key, given in values.items():
            block = by_id.get(key) or by_label.get(key)
            if block is None:
                if strict:
                    raise LookupError(f"no block {key!r} in the view; blocks are {list(by_id)}")
                continue
            elements = [e for e in _elements(block) if e.get("type") in STATEFUL]
            if not elements:
                raise ValueError(f"block {key!r} has nothing to fill in")
            if len(elements) > 1:
                if not isinstance(given, dict):
                    raise ValueError(f"block {key!r} holds several elements: give {{action_id: value}}")
                picks = dict(given)
            else:
                picks = {elements[0]["action_id"]: given}
            for aid, v in picks.items():
                el = next((e for e in elements if e["action_id"] == aid), None)
                if el is None:
                    raise LookupError(f"no element {aid!r} in block {key!r}")
                chosen.setdefault(block["block_id"], {})[aid] = self._picked(el, v)
        return chosen

    def _payload_view(self, v: View, blocks: list[dict[str, Any]], state: dict[str, Any]) -> dict[str, Any]:
        d = v.view
        return {
            "id": v.id,
            "team_id": self.workspace.team_id,
            "type": d.get("type", v.type),
            "blocks": blocks,
            "private_metadata": d.get("private_metadata", ""),
            "callback_id": d.get("callback_id", ""),
            "state": {"values": state},
            "hash": v.hash,
            "title": d.get("title"),
            "clear_on_close": bool(d.get("clear_on_close", False)),
            "notify_on_close": bool(d.get("notify_on_close", False)),
            "close": d.get("close"),
            "submit": d.get("submit"),
            "previous_view_id": v.previous_view_id,
            "root_view_id": v.root_view_id,
            "app_id": self.api_app_id,
            "external_id": v.external_id or d.get("external_id", "") or "",
            "app_installed_team_id": self.workspace.team_id,
            "bot_id": self.bot_id,
        }

    def _check_client_side(self, blocks: list[dict[str, Any]], state: dict[str, Any]) -> None:
        problems: dict[str, str] = {}
        for block in blocks:
            if block.get("type") != "input":
                continue
            el = block.get("element") or {}
            got = state.get(block["block_id"], {}).get(el.get("action_id"), {})
            picked = next((v for k, v in got.items() if k != "type"), None)
            label = _plain(block.get("label")) or block["block_id"]
            if picked in (None, "", []):
                if not block.get("optional", False):
                    problems[block["block_id"]] = f"{label!r} is required"
                continue
            t = el.get("type")
            if t == "plain_text_input":
                if "min_length" in el and len(picked) < el["min_length"]:
                    problems[block["block_id"]] = f"{label!r} needs at least {el['min_length']} characters"
                if "max_length" in el and len(picked) > el["max_length"]:
                    problems[block["block_id"]] = f"{label!r} takes at most {el['max_length']} characters"
            elif t == "email_text_input" and not _EMAIL.match(picked):
                problems[block["block_id"]] = f"{label!r} is not an email address"
            elif t == "url_text_input" and not re.match(r"^https?://\S+$", picked):
                problems[block["block_id"]] = f"{label!r} is not a URL"
            elif t == "number_input":
                try:
                    n = float(picked) if el.get("is_decimal_allowed") else int(picked)
                except ValueError:
                    problems[block["block_id"]] = f"{label!r} is not a number"
                    continue
                if "min_value" in el and n < float(el["min_value"]):
                    problems[block["block_id"]] = f"{label!r} is below {el['min_value']}"
                if "max_value" in el and n > float(el["max_value"]):
                    problems[block["block_id"]] = f"{label!r} is above {el['max_value']}"
        if problems:
            raise ClientSideInvalid(problems)

    async def submit(self, user: str, values: Mapping[str, Any] | None = None, *, view: View | None = None,
                     validate: bool = True) -> Reply:
        """The user fills in the top modal (or `view`) and clicks its submit button.

        `values` maps block_id (or an input's label) to the input: text, an option value,
        a user/channel id, a list for multi-selects and checkboxes, a date string, or None
        for "left empty". Untouched blocks keep their initial values. With `validate`, the
        checks the Slack client makes before sending (required fields, lengths, formats)
        raise ClientSideInvalid instead of sending.
        """
        v = self._top(user, view)
        if validate and not v.view.get("submit"):
            raise ValueError(f"view {v.id} has no submit button")
        blocks = normalize_blocks(v.view.get("blocks", []), v.id)
        chosen = self._resolve_values(blocks, self._drafts.get(v.id, {}), strict=False)
        for bid, picks in self._resolve_values(blocks, values or {}, strict=True).items():
            chosen.setdefault(bid, {}).update(picks)
        state = self._state(blocks, chosen)
        if validate:
            self._check_client_side(blocks, state)
        response_urls = []
        for block, el in _iter_elements(blocks):
            if el.get("response_url_enabled") and block.get("type") == "input":
                got = state.get(block["block_id"], {}).get(el["action_id"], {})
                cid = got.get("selected_conversation") or got.get("selected_channel")
                if cid:
                    response_urls.append({"block_id": block["block_id"], "action_id": el["action_id"],
                                          "channel_id": cid, "response_url": self._response_url(cid, user)})
        trigger_id = self.new_trigger_id(user)
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": trigger_id,
            "view": self._payload_view(v, blocks, state),
            "response_urls": response_urls,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        reply = await self._send_payload(payload)
        reply.trigger_id = trigger_id
        if self._judge(reply):
            self._apply_response_action(reply, v)
        reply.view = self.workspace.open_modal(user)
        return reply

    def _apply_response_action(self, reply: Reply, v: View) -> None:
        body = reply.body.strip()
        if body and reply.json is None:
            reply.slack_error = "invalid_response"
            return
        answer = reply.json or {}
        action = answer.get("response_action")
        if action is None:  # a plain ack closes the submitted view; the one under it shows again
            self._close(v)
        elif action == "errors":
            errors = dict(answer.get("errors") or {})
            reply.errors = errors
            v.errors = errors
            inputs = {b.get("block_id") for b in v.view.get("blocks", []) if b.get("type") == "input"}
            unknown = sorted(set(errors) - inputs)
            if unknown or not errors:
                # Slack only shows errors under input blocks; otherwise the user gets a generic failure
                reply.slack_error = f"errors for unknown input blocks: {unknown}" if unknown else "empty errors"
        elif action == "update":
            new = answer.get("view")
            problem = self._view_problem(new)
            if problem:
                reply.slack_error = problem
                return
            v.view = new
            v.hash = self._new_hash()
            v.errors = {}
            self._drafts.pop(v.id, None)
        elif action == "push":
            new = answer.get("view")
            problem = self._view_problem(new)
            if problem:
                reply.slack_error = problem
                return
            if len(self._stack(v)) >= MAX_VIEW_STACK:
                reply.slack_error = "push_limit_reached"
                return
            vid = self.workspace.new_id("V")
            self.workspace.views[vid] = View(id=vid, type="modal", user=v.user, view=new, hash=self._new_hash(),
                                             root_view_id=v.root_view_id, previous_view_id=v.id,
                                             external_id=new.get("external_id"))
        elif action == "clear":
            for x in self._stack(v):
                self._close(x)
        else:
            reply.slack_error = f"invalid response_action {action!r}"

    @staticmethod
    def _view_problem(view: Any) -> str | None:
        # Slack refuses a response_action view it would refuse from views.update / views.push.
        rejection = view_rejection(view, expect_type="modal")
        if rejection is None:
            return None
        return "; ".join((rejection.error, *rejection.messages))

    def _close(self, v: View) -> None:
        self.workspace.views.pop(v.id, None)
        self._drafts.pop(v.id, None)

    def _new_hash(self) -> str:
        return f"{int(time.time())}.{_auto_id(self.workspace.new_id('h'), 8)}"

    async def view_action(self, user: str, action_id: str, value: Any = None, *,
                          values: Mapping[str, Any] | None = None, view: View | None = None,
                          block_id: str | None = None) -> Reply:
        """The user clicks a button or picks a value inside the top modal (block_actions from a view).

        `values` is what the user has typed so far (as in submit); it is kept for the
        later submit, as the Slack client keeps typed input while the modal stays open.
        """
        v = self._top(user, view)
        blocks = normalize_blocks(v.view.get("blocks", []), v.id)
        self._resolve_values(blocks, values or {}, strict=True)  # typos fail here, not at submit
        draft = self._drafts.setdefault(v.id, {})
        draft.update(values or {})
        block, el = self._find(blocks, action_id, value=value, block_id=block_id)
        if el.get("type") == "button":
            action = self._button_action(block, el)
        else:
            action = self._select_action(block, el, value)
            if el.get("type") in STATEFUL:
                elements = [e for e in _elements(block) if e.get("type") in STATEFUL]
                if len(elements) > 1:
                    draft.setdefault(block["block_id"], {})[el["action_id"]] = value
                else:
                    draft[block["block_id"]] = value
        chosen = self._resolve_values(blocks, draft, strict=False)
        state = self._state(blocks, chosen)
        trigger_id = self.new_trigger_id(user)
        payload = {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "container": {"type": "view", "view_id": v.id},
            "trigger_id": trigger_id,
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "view": self._payload_view(v, blocks, state),
            "actions": [action],
        }
        reply = await self._send_payload(payload)
        reply.trigger_id = trigger_id
        self._judge(reply)
        reply.view = self.workspace.open_modal(user)
        return reply

    async def close_modal(self, user: str, *, view: View | None = None) -> Reply:
        """The user clicks the modal's close button (or X).

        Closes the top view (all of them if it has clear_on_close) and, only if the view
        asked for notify_on_close, sends view_closed; otherwise nothing is sent (status 0).
        """
        v = self._top(user, view)
        cleared = bool(v.view.get("clear_on_close"))
        blocks = normalize_blocks(v.view.get("blocks", []), v.id)
        chosen = self._resolve_values(blocks, self._drafts.get(v.id, {}), strict=False)
        payload = {
            "type": "view_closed",
            "team": self._team(),
            "user": self._user(user),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "view": self._payload_view(v, blocks, self._state(blocks, chosen)),
            "is_cleared": cleared,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        for x in self._stack(v) if cleared else [v]:
            self._close(x)
        if not v.view.get("notify_on_close"):
            reply = _nothing_sent()
        else:
            reply = await self._send_payload(payload)
            self._judge(reply)
        reply.view = self.workspace.open_modal(user)
        return reply

    # -- Events API ------------------------------------------------------------
    async def event(self, event: dict[str, Any], *, retry_num: int | None = None,
                    retry_reason: str = "http_timeout", event_id: str | None = None) -> Reply:
        """Delivers one Events API event; a retry carries X-Slack-Retry-* and the first event_id."""
        ev = dict(event)
        ev.setdefault("event_ts", ev.get("ts") or self.workspace.new_ts())
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.workspace.team_id,
            "api_app_id": self.api_app_id,
            "event": ev,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._events):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": self.workspace.team_id,
                                "user_id": self.workspace.bot_user_id, "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        }
        if self.socket is not None:
            retry = {} if retry_num is None else {"retry_attempt": retry_num, "retry_reason": retry_reason}
            reply = await self._over_socket("events_api", envelope, **retry)
            self._judge(reply)
            return reply
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        reply = await self.raw(json.dumps(envelope).encode(), JSON, headers=headers)
        reply.payload = envelope
        self._judge(reply)
        return reply

    async def url_verification(self, challenge: str = "emulator-challenge") -> Reply:
        """The Request URL check Slack makes over HTTP (there is none in Socket Mode)."""
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        reply = await self.raw(json.dumps(body).encode(), JSON)
        reply.payload = body
        return reply

    async def message_shortcut(self, user: str, message: Message, callback_id: str) -> Reply:
        """The user picks a message shortcut from a message's "More actions" menu: Slack sends a
        `message_action` payload with the message, its channel, a trigger_id and a response_url."""
        channel = self._channel_id(message.channel)
        trigger_id = self.new_trigger_id(user)
        response_url = self._response_url(channel, user)
        msg: dict[str, Any] = {"type": "message", "user": message.user, "ts": message.ts, "text": message.text,
                               "team": self.workspace.team_id}
        if message.blocks:
            msg["blocks"] = copy.deepcopy(message.blocks)
        if message.user == self.workspace.bot_user_id:
            msg["bot_id"] = self.bot_id
        if getattr(message, "thread_ts", None):
            msg["thread_ts"] = message.thread_ts
        payload: dict[str, Any] = {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": self._action_ts(),
            "team": self._team(),
            "user": self._user(user),
            "channel": {"id": channel, "name": self.channel_name(channel)},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id,
            "response_url": response_url,
            "message_ts": message.ts,
            "message": msg,
        }
        reply = await self._send_payload(payload)
        reply.trigger_id, reply.response_url = trigger_id, response_url
        self._judge(reply)
        reply.view = self.workspace.open_modal(user)
        return reply

    async def post_message(self, user: str, channel: str, text: str, *,
                           thread_ts: str | None = None) -> tuple[Message, list[Reply]]:
        """A person posts in a channel: the message lands in the workspace and the bot gets
        the `message` event, plus `app_mention` when the text mentions the bot."""
        channel_id = self._channel_id(channel)
        key = self._message_key(channel_id)
        msg = Message(key, self.workspace.new_ts(), user, text, thread_ts=thread_ts)
        self.workspace.messages.setdefault(key, []).append(msg)
        ch = self.workspace.channels.get(channel_id)
        channel_type = "im" if ch is None else ("group" if ch.is_private else "channel")
        base: dict[str, Any] = {"user": user, "text": text, "ts": msg.ts, "channel": channel_id,
                                "event_ts": msg.ts, "team": self.workspace.team_id}
        if thread_ts:
            base["thread_ts"] = thread_ts
        replies = [await self.event({"type": "message", **base, "channel_type": channel_type})]
        if f"<@{self.workspace.bot_user_id}" in text:
            replies.append(await self.event({"type": "app_mention", **base}))
        return msg, replies
