"""Incident channel names: `inc-<number>-<slug>`, valid for Slack (lowercase letters, digits,
`-` and `_`, at most 80 characters), with a suffix when the name is taken."""

from __future__ import annotations

import re
import unicodedata

MAX_CHANNEL_NAME = 80


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def channel_name(number: int, title: str, attempt: int = 0) -> str:
    """attempt 0 is the plain name; 1, 2, … add `-2`, `-3`, … for a name_taken collision."""
    prefix = f"inc-{number}"
    suffix = f"-{attempt + 1}" if attempt else ""
    room = MAX_CHANNEL_NAME - len(prefix) - len(suffix) - 1
    slug = slugify(title)[:room].rstrip("-")
    return f"{prefix}-{slug}{suffix}" if slug else f"{prefix}{suffix}"
