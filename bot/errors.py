"""Errors the bot raises on purpose; handlers/errors.py turns each into words for the user.

    IncidentBotError            a known problem; its message is safe to show the user
    ├── InvalidInput            bad input from the user; `field` names the modal block when there is one
    ├── NotFound                no such incident
    ├── NotInIncidentChannel    an incident-only subcommand used elsewhere
    └── InvalidTransition       the change does not apply in the incident's state (e.g. closed)

Anything else is unexpected: it is logged with an error id, and the user is shown that id.
"""

from __future__ import annotations


class IncidentBotError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(IncidentBotError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(IncidentBotError):
    pass


class NotInIncidentChannel(IncidentBotError):
    pass


class InvalidTransition(IncidentBotError):
    pass
