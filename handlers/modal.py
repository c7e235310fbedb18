"""Opening a modal: the one Web API call a listener makes itself, since its trigger_id lives three
seconds. It is made before the ack, so when Slack hears back the modal is already open."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core.errors import IncidentBotError

_TRIGGER_ERRORS = {"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"}


async def open_modal(client: Any, trigger_id: str, view: dict[str, Any]) -> None:
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        error = exc.response.data.get("error") if isinstance(exc.response.data, dict) else None
        if error in _TRIGGER_ERRORS:
            raise IncidentBotError(f"Slack could not open the form in time ({error}); please try again.") from None
        raise
