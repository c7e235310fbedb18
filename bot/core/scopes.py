"""The Slack bot scopes the app asks for, and why each is needed (manifest.yml grants exactly the
required ones plus the optional ones; a test keeps the three in step with the README's "Slack scopes").

METHOD_SCOPES is Slack's documented requirement per Web API method the code calls (for a method that
works on public and private channels, both scopes); the emulator enforces it when given the scopes a
token has, answering `missing_scope` as Slack does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    why: str
    optional: bool = False  # the bot works without it, losing only what `why` names


SCOPES: dict[str, Scope] = {
    "commands": Scope("the /incident command and the message shortcut"),
    "chat:write": Scope("every message: cards, updates, reminders, and DMs to a person (posted to their user id, "
                        "which needs no im:write)"),
    "channels:manage": Scope("create public incident channels, invite people, set the topic"),
    "channels:join": Scope("join the public channels the configuration names (announcements, escalation, alerts)"),
    "channels:read": Scope("look up public channels at start, and member_joined_channel / member_left_channel"),
    "groups:write": Scope("the same for private incident channels (private incidents)"),
    "groups:read": Scope("look up private channels the bot was invited to, and their membership events"),
    "pins:write": Scope("pin the summary card in the incident channel"),
    "pins:read": Scope("pin_added / pin_removed: pinned messages go on the timeline"),
    "reactions:read": Scope("reaction_added: a 📌 reaction puts a message on the timeline"),
    "files:write": Scope("upload the review document and the metrics chart"),
    "users:read": Scope("people's names and time zones in reviews, exports and the Home tab"),
    "users:read.email": Scope("find the on-call engineer the pager names, by email (users.lookupByEmail)"),
    "usergroups:read": Scope("read the members of the incident-admins user group ([permissions] admins)"),
    "channels:history": Scope("read the text of a message pinned with a 📌 reaction in a public channel, and find "
                              "a message a crashed job already posted; without it the timeline notes that the "
                              "text could not be read", optional=True),
    "groups:history": Scope("the same in private channels", optional=True),
}

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

# Methods whose scope depends on the channel: (public scope, private scope).
BY_CHANNEL: dict[str, tuple[str, str]] = {
    "conversations.history": ("channels:history", "groups:history"),
    "conversations.create": ("channels:manage", "groups:write"),
    "conversations.invite": ("channels:manage", "groups:write"),
    "conversations.setTopic": ("channels:manage", "groups:write"),
    "conversations.info": ("channels:read", "groups:read"),
}
