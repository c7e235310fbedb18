from __future__ import annotations

import re

import pytest

from bot.incidents.naming import channel_name

VALID = re.compile(r"^[a-z0-9_-]{1,80}$")


@pytest.mark.parametrize(("title", "expected"), [
    ("Card payments failing in EU", "inc-7-card-payments-failing-in-eu"),
    ("  SEPA / Bank-Transfers: DOWN!! ", "inc-7-sepa-bank-transfers-down"),
    ("Zahlungsausfall München", "inc-7-zahlungsausfall-munchen"),
    ("🔥🔥🔥", "inc-7"),
])
def test_names(title: str, expected: str) -> None:
    assert channel_name(7, title) == expected


def test_long_titles_and_collisions_stay_valid() -> None:
    title = "word " * 60
    names = [channel_name(123456, title, attempt) for attempt in range(12)]
    assert all(VALID.match(n) for n in names)
    assert len(set(names)) == 12
    assert names[1].endswith("-2") and names[11].endswith("-12")
    assert not any("--" in n for n in names)
