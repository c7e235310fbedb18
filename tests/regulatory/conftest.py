"""A bot whose policy enables DORA, names a compliance group and a leadership channel."""

from __future__ import annotations

from typing import Any

import pytest_asyncio

from bot.policy import default_policy
from bot.policy.escalation import Escalation
from bot.policy.regulatory import Regulatory
from tests.conftest import Bot

COMPLIANCE = "S0COMPLIANCE"
LEADS = "S0LEADS"


def regulatory_policy(leadership: str, **regulatory: Any):
    reg = Regulatory.model_validate({"compliance_group": COMPLIANCE, "regimes": [{"key": "dora", "enabled": True}],
                                     **regulatory})
    return default_policy().model_copy(update={"regulatory": reg, "escalation": Escalation(
        channel=leadership, leadership_group=LEADS)})


@pytest_asyncio.fixture
async def rbot(bot_factory: Any, emulator: Any) -> Bot:
    leadership = emulator.workspace.add_channel("leadership", bot_member=True)
    emulator.usergroups.update({COMPLIANCE: [], LEADS: []})
    bot = await bot_factory(policy=regulatory_policy(leadership))
    bot.leadership = leadership  # type: ignore[attr-defined]
    return bot


from tests.alerts.conftest import ab, make_alert_bot  # noqa: E402,F401  (the alert sources' fixtures)
