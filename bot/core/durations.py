"""Durations as the policy file writes them: `90s`, `15m`, `4h`, `2d`, or `none`; always with a unit, so
`update_cadence = 20` is refused rather than read as 20 seconds.

A module of its own so that every policy section (bot.policy and the sections it imports) can parse them.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> timedelta | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "")):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{value!r} is not a duration (write 90s, 15m, 4h, 2d or none)")
    if isinstance(value, int):
        raise ValueError(f"{value} has no unit: write a string with one, e.g. \"{value}m\" for {value} minutes "
                         f"or \"{value}s\" for {value} seconds")
    m = _DURATION.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a duration (write 90s, 15m, 4h, 2d or none)")
    return timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])


def format_duration(td: timedelta | None) -> str:
    if td is None:
        return "none"
    secs = int(td.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs and secs % size == 0:
            return f"{secs // size}{unit}"
    return f"{secs}s"
