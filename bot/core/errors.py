"""Errors the bot raises on purpose; handlers/errors.py turns each into words for the user.

    IncidentBotError            a known problem; its message is safe to show the user
    ├── InvalidInput            bad input from the user; `field` names the modal block when there is one
    ├── NotFound                no such incident
    ├── NotInIncidentChannel    an incident-only subcommand used elsewhere
    ├── InvalidTransition       the change does not apply in the incident's state (e.g. closed)
    └── Forbidden               the person may not do this; the message names who may

A message names people and echoes what someone typed through `{placeholders}`: `people` maps a
placeholder to a Slack user id, `groups` to a user group id, `values` to the typed text. Each surface
fills them in its own way (a mention and escaped text in Slack, the plain id and text in a JSON answer),
so no service writes markup.

Anything else is unexpected: it is logged with an error id, and the user is shown that id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping


def _plain_person(user_id: str | None) -> str:
    return user_id or "nobody"


class IncidentBotError(Exception):
    def __init__(self, message: str, *, people: Mapping[str, str | None] | None = None,
                 values: Mapping[str, str] | None = None, groups: Mapping[str, str] | None = None) -> None:
        self.template = message
        self.people = dict(people or {})
        self.values = dict(values or {})
        self.groups = dict(groups or {})
        super().__init__(self.render())

    def render(self, person: Callable[[str | None], str] = _plain_person,
               text: Callable[[str], str] = str, group: Callable[[str], str] = str) -> str:
        if not self.people and not self.values and not self.groups:
            return self.template
        return self.template.format(**{k: person(v) for k, v in self.people.items()},
                                    **{k: text(v) for k, v in self.values.items()},
                                    **{k: group(v) for k, v in self.groups.items()})

    @property
    def message(self) -> str:
        return self.render()


class InvalidInput(IncidentBotError):
    def __init__(self, message: str, *, field: str | None = None, people: Mapping[str, str | None] | None = None,
                 values: Mapping[str, str] | None = None) -> None:
        super().__init__(message, people=people, values=values)
        self.field = field


class NotFound(IncidentBotError):
    pass


class NotInIncidentChannel(IncidentBotError):
    pass


class InvalidTransition(IncidentBotError):
    pass


class Forbidden(IncidentBotError):
    def __init__(self, message: str, *, field: str | None = None, people: Mapping[str, str | None] | None = None,
                 values: Mapping[str, str] | None = None, groups: Mapping[str, str] | None = None) -> None:
        super().__init__(message, people=people, values=values, groups=groups)
        self.field = field


class VendorUnavailable(ConnectionError):
    """A vendor is failing or unreachable (retried with backoff), or rate limiting (`rate_limited`: waited
    out, never counted). `retry_after`: seconds, or the raw Retry-After header (the job worker reads and
    bounds it). Each vendor's client names its own subclass."""

    def __init__(self, message: str, retry_after: float | str | None = None, *, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.rate_limited = rate_limited
