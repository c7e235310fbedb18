"""LOG_FORMAT=json: one object per line, carrying the job, the incident key and the request id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.ops import logs
from tests.conftest import Bot


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


async def test_a_failed_job_names_its_job_and_incident(bot: Bot, captured: io.StringIO) -> None:
    bot.emu.fail("pins.add", "no_permission")  # a final failure: Slack will not change its mind
    inc = await bot.declare("sev2 Refunds delayed")
    failed = [line for line in lines(captured) if line["message"].startswith("job ") and "failed" in line["message"]]
    assert len(failed) == 1
    line = failed[0]
    assert line["level"] == "ERROR" and line["logger"] == "bot.jobs.worker"
    assert line["incident"] == inc.key == "INC-1" and isinstance(line["job"], int)
    assert "pin_card" in line["message"] and "Refunds" not in captured.getvalue()


async def test_a_slack_request_carries_a_request_id(bot: Bot, captured: io.StringIO) -> None:
    reply = await bot.command(bot.people.alice, "resolve")  # not an incident channel: refused, logged at INFO
    assert reply.status == 200
    refused = [line for line in lines(captured) if line["message"].startswith("refused ")]
    assert refused and all(len(line["request"]) == 16 for line in refused)
    assert "job" not in refused[0]


def test_tokens_are_masked_in_both_formats() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "token %s and xapp-1-A0B-99", ("xoxb-123-abc",),
                               None)
    as_json = json.loads(logs.JsonFormatter().format(record))
    assert as_json["message"] == "token xoxb-*** and xapp-***"
    assert "123" not in logs.MaskingFormatter(logs.TEXT_FORMAT).format(record)
