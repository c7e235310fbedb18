"""The one place errors become words. Services raise typed errors (bot/core/errors.py); this maps each to
what the user sees where they are: a field error in a modal, an ephemeral reply to a command or a
click. Anything unexpected is logged with an id, and the user is shown that id. Slack never gets a 500.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse

from bot.core import text as t
from bot.core.errors import IncidentBotError

log = logging.getLogger(__name__)


def _ephemeral(text: str) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps({"response_type": "ephemeral", "text": text}),
                        headers={"content-type": "application/json"})


def _field_errors(body: dict[str, Any], error: Exception, message: str) -> BoltResponse:
    blocks = body.get("view", {}).get("blocks", [])
    input_ids = [b.get("block_id") for b in blocks if b.get("type") == "input"]
    field = getattr(error, "field", None)
    block_id = field if field in input_ids else (input_ids[0] if input_ids else None)
    if block_id is None:
        return BoltResponse(status=200, body="")
    return BoltResponse(status=200, body=json.dumps({"response_action": "errors", "errors": {block_id: message}}),
                        headers={"content-type": "application/json"})


async def on_error(error: Exception, body: dict[str, Any], response: BoltResponse | None,
                   respond: AsyncRespond | None) -> BoltResponse | None:
    if isinstance(error, IncidentBotError):
        message = error.render(person=t.user, text=t.escape, group=lambda g: f"<!subteam^{g}>")
        log.info("refused %s: %s", body.get("type") or body.get("command"), error.message)
    else:
        error_id = uuid.uuid4().hex[:8]
        log.error("unexpected error %s handling %s", error_id, body.get("type") or body.get("command"),
                  exc_info=error)
        message = (f":warning: Something went wrong on our side (error id `{error_id}`); nothing was changed. "
                   "Try again, or give this id to whoever runs the bot.")
    if response is not None:  # not acknowledged yet: the answer to this request carries the message
        if body.get("type") == "view_submission":
            return _field_errors(body, error, message)
        if body.get("command"):
            return _ephemeral(message)
    # Already acknowledged (a click), or a request whose answer cannot carry text.
    if respond is not None and body.get("response_url"):
        try:
            await respond(text=message, response_type="ephemeral", replace_original=False)
        except Exception:
            log.exception("could not tell the user: %s", message)
    return BoltResponse(status=200, body="") if response is not None else None


def register(app: AsyncApp) -> None:
    app.error(on_error)
