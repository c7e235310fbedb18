"""The read API against its own OpenAPI description, with schemathesis: for every operation, bounded and
derandomized generated requests (valid ones, and invalid ones), and every answer checked for a documented
status code, a conforming body, and never a server error."""

from __future__ import annotations

import asyncio

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis import GenerationMode

from bot.policy import default_policy
from bot.records.openapi import spec
from tests.conftest import Bot
from tests.records.conftest import PRIVATE_TOKEN, TOKEN, get, url

EXAMPLES = 30
SPEC = spec([s.name for s in default_policy().severities])


def _run_contract(base_url: str, token: str) -> list[str]:
    """Each operation, in both generation modes; the checks that failed (none, when the API keeps its word)."""
    schema = schemathesis.openapi.from_dict(SPEC)
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @hypothesis.settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                                 suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
            @hypothesis.given(case=strategy)
            def check(case: schemathesis.Case) -> None:
                response = case.call(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
                assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
                case.validate_response(response)

            try:
                check()
            except Exception as exc:  # noqa: BLE001  the failure, with the case hypothesis shrank it to
                problems.append(f"{operation.label} ({mode.value}): {exc}")
    return problems


@pytest.mark.parametrize("token", [TOKEN, PRIVATE_TOKEN], ids=["public-token", "private-token"])
async def test_the_api_keeps_its_openapi_contract(rbot: Bot, token: str) -> None:
    inc = await rbot.declare("sev2 Refunds delayed")
    await rbot.command(rbot.people.alice, f"action <@{rbot.people.bob}> 2026-02-01 Add a refund alert", inc.channel_id)
    await rbot.declare("sev1 Card payments failing")
    await rbot.resolve(1)
    status, served = await get(rbot, "/api/v1/openapi.json", token=None)
    assert status == 200 and served == SPEC
    problems = await asyncio.to_thread(_run_contract, url(rbot, ""), token)
    assert problems == []
