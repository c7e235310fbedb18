"""A real headless browser (Debian's chromium) loads the status page from a running bot: what a
customer's phone shows, and a screenshot kept in the test's temporary folder. The page carries no
script and its Content-Security-Policy forbids any, so what the browser shows is what works without
JavaScript (chromium's headless DOM dump itself needs scripting on, so it cannot be switched off).

`.ci/run` installs chromium; under CI (the CI variable set) a missing browser fails the test,
elsewhere it is skipped with the reason."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from tests.comms.conftest import page_url, publish
from tests.conftest import Bot

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def browser() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        why = "no headless browser: install Debian's chromium (`apt-get install -y chromium`; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return found


async def run_browser(exe: str, *args: str, profile: Path) -> str:
    """Runs off the event loop's thread: the bot serving the page lives on this loop."""
    proc = await asyncio.create_subprocess_exec(
        exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        f"--user-data-dir={profile}", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        pytest.fail("the browser did not finish within 90 seconds")
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    return out.decode()


async def test_a_phone_browser_shows_the_status_page(bot: Bot, tmp_path: Path) -> None:
    exe = browser()
    inc = await bot.declare("sev1 Acquirer X broke after deploy v2.42")
    await publish(bot, bot.people.alice, inc, title="Card payments failing",
                  message="Some card payments fail. We are investigating.")
    url = page_url(bot)

    dom = await run_browser(exe, "--dump-dom", url, profile=tmp_path / "profile-dom")
    assert "<h1>Payments status</h1>" in dom
    assert 'class="banner major_outage"' in dom and "Major outage" in dom
    assert "Card payments failing" in dom and "Some card payments fail. We are investigating." in dom
    assert "<script" not in dom.lower()
    assert "Acquirer X" not in dom and "v2.42" not in dom and inc.channel_id not in dom

    shot = tmp_path / "status.png"
    await run_browser(exe, f"--screenshot={shot}", "--window-size=390,844", "--hide-scrollbars", url,
                      profile=tmp_path / "profile-shot")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (390, 844)


def test_a_missing_browser_fails_under_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="install Debian's chromium"):
        browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no headless browser"):
        browser()
