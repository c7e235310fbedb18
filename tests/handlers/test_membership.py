"""A member_joined_channel that Slack delivers again (or two replicas handle at once) is recorded once,
without an error: membership is an upsert."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlmodel import select

from models import IncidentMember
from tests.conftest import Bot


async def test_a_retried_member_joined_event_is_recorded_once_without_an_error(
        bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    inc = await bot.declare("sev2 Refund delays")
    event = {"type": "member_joined_channel", "user": bot.people.dave, "channel": inc.channel_id,
             "channel_type": "C", "team": bot.ws.team_id}
    with caplog.at_level(logging.ERROR):
        first, again, third = await asyncio.gather(
            bot.driver.event(event, event_id="EvJOIN1"), bot.driver.event(event, event_id="EvJOIN1", retry_num=1),
            bot.driver.event(event, event_id="EvJOIN1", retry_num=2))
        await bot.rt.inflight.idle()
    assert (first.status, again.status, third.status) == (200, 200, 200)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    async with bot.rt.sessionmaker() as s:
        members = (await s.execute(select(IncidentMember.user_id).where(IncidentMember.incident_id == inc.id))).all()
    assert [m for (m,) in members].count(bot.people.dave) == 1
