"""PUBLIC_URL: where Slack fetches the App Home's chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings


def test_public_url_is_optional_and_loses_its_trailing_slash() -> None:
    assert Settings.from_env({}).public_url is None
    assert Settings.from_env({"PUBLIC_URL": " https://incident-bot.example.com/ "}).public_url == \
        "https://incident-bot.example.com"


@pytest.mark.parametrize("bad", ["incident-bot.example.com", "ftp://example.com", "javascript:alert(1)"])
def test_a_public_url_that_is_not_http_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ConfigError, match="PUBLIC_URL="):
        Settings.from_env({"PUBLIC_URL": bad})


def test_public_url_is_documented() -> None:
    root = Path(__file__).resolve().parents[2]
    assert "\nPUBLIC_URL=" in (root / ".env.example").read_text()
    readme = (root / "README.md").read_text()
    assert "| `PUBLIC_URL` |" in readme and "## App Home and metrics" in readme
