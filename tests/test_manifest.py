"""manifest.yml and the code stay in step: every command, event and interaction the app registers
is declared, and the bot scopes cover every Web API method the code calls."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from handlers.actions import ACTIONS
from handlers.commands import COMMAND
from handlers.events import EVENTS
from handlers.shortcuts import SHORTCUTS
from handlers.views import VIEWS

ROOT = Path(__file__).resolve().parent.parent

# Slack's documented scope requirements. A method missing here fails the test on purpose:
# look its scopes up and add them, then the manifest must grant them.
METHOD_SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    # called with the app-level token (connections:write), which is not a bot scope
    "apps.connections.open": set(),
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "chat.getPermalink": set(),
    "conversations.create": {"channels:manage", "groups:write"},  # public and private channels
    "conversations.invite": {"channels:manage", "groups:write"},
    "conversations.setTopic": {"channels:manage", "groups:write"},
    "conversations.join": {"channels:join"},
    "conversations.history": {"channels:history", "groups:history"},
    "conversations.info": {"channels:read", "groups:read"},
    "conversations.list": {"channels:read", "groups:read"},
    "pins.add": {"pins:write"},
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    "users.info": {"users:read"},
    "users.lookupByEmail": {"users:read.email"},
    "usergroups.users.list": {"usergroups:read"},
    "views.open": set(),
    "views.publish": set(),
}
EVENT_SCOPES: dict[str, set[str]] = {
    "app_home_opened": set(),
    "member_joined_channel": {"channels:read", "groups:read"},
    "member_left_channel": {"channels:read", "groups:read"},
    "pin_added": {"pins:read"},
    "pin_removed": {"pins:read"},
    "reaction_added": {"reactions:read"},
    "reaction_removed": {"reactions:read"},
}
_CALL = re.compile(r"\bclient\.([a-z]+(?:_[A-Za-z0-9]+)+)\(")
# slack_sdk helpers that stand for several Web API methods
HELPERS = {"files.upload.v2": {"files.getUploadURLExternal", "files.completeUploadExternal"}}


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def methods_called() -> set[str]:
    found = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            if "emulator" in path.parts:
                continue
            found |= {name.replace("_", ".") for name in _CALL.findall(path.read_text())}
    for helper, methods in HELPERS.items():
        if helper in found:
            found = (found - {helper}) | methods
    return found


def test_the_scan_finds_the_calls_we_know_about() -> None:
    assert {"conversations.create", "chat.postMessage", "views.open", "pins.add"} <= methods_called()


def test_bot_scopes_cover_every_method_the_code_calls() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    for method in sorted(methods_called()):
        assert method in METHOD_SCOPES, f"{method} is called: add its scopes to METHOD_SCOPES"
        assert METHOD_SCOPES[method] <= scopes, f"{method} needs {METHOD_SCOPES[method] - scopes}"
    assert "commands" in scopes


def test_every_event_is_subscribed_with_its_scopes() -> None:
    m = manifest()
    subscribed = set(m["settings"]["event_subscriptions"]["bot_events"])
    assert subscribed == set(EVENTS)
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    for event in EVENTS:
        assert EVENT_SCOPES[event] <= scopes, event
    if "app_home_opened" in EVENTS:
        assert m["features"]["app_home"]["home_tab_enabled"] is True


def test_the_slash_command_and_interactivity_are_declared() -> None:
    m = manifest()
    commands = {c["command"]: c for c in m["features"]["slash_commands"]}
    assert set(commands) == {COMMAND}
    assert commands[COMMAND]["should_escape"] is True  # mentions arrive as <@U…|name>, which role parsing needs
    assert ACTIONS and VIEWS and m["settings"]["interactivity"]["is_enabled"] is True
    urls = {commands[COMMAND]["url"], m["settings"]["interactivity"]["request_url"],
            m["settings"]["event_subscriptions"]["request_url"]}
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")


def test_manifest_respects_slack_limits() -> None:
    m = manifest()
    info = m["display_information"]
    assert len(info["name"]) <= 35 and len(info.get("description", "")) <= 140
    assert len(m["features"]["bot_user"]["display_name"]) <= 80
    for c in m["features"]["slash_commands"]:
        assert re.fullmatch(r"/[a-z0-9_-]{1,31}", c["command"]) and len(c["description"]) <= 2000


def test_every_shortcut_is_declared_within_slack_limits() -> None:
    declared = {s["callback_id"]: s for s in manifest()["features"].get("shortcuts", [])}
    assert set(declared) == set(SHORTCUTS)
    for shortcut in declared.values():
        assert shortcut["type"] in ("message", "global")
        assert 1 <= len(shortcut["name"]) <= 24 and 1 <= len(shortcut["description"]) <= 150
    assert declared["declare_from_message"]["type"] == "message"


def test_the_messages_tab_shows_the_bots_direct_messages() -> None:
    # Reminders, action items and drill reports are DMs: with the tab off, people would never see them.
    home = manifest()["features"]["app_home"]
    assert home["messages_tab_enabled"] is True and home["messages_tab_read_only_enabled"] is True
