"""The README's pictures come from the demo's real messages: the script runs, its HTML shows what the
messages say, and (with Debian's chromium, which .ci/run installs) it writes real PNGs."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest

from bot.emulator.html import block_html, mrkdwn_html

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "screenshots.py"
PICTURES = ("summary-card", "triage", "review-card", "status-page")


async def _script(*args: str) -> str:
    proc = await asyncio.create_subprocess_exec(sys.executable, str(SCRIPT), *args, cwd=ROOT,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 180)
    assert proc.returncode == 0, err.decode()[-2000:]
    return out.decode()


def test_mrkdwn_and_blocks_become_html() -> None:
    assert mrkdwn_html("*INC-1* <@U1|maya> set _identified_ `v2.41` &lt;b&gt; :rotating_light:") == (
        '<b>INC-1</b> <span class="mention">@maya</span> set <i>identified</i> <code>v2.41</code> &lt;b&gt; 🚨')
    button = {"type": "actions", "elements": [{"type": "button", "style": "danger",
                                               "text": {"type": "plain_text", "text": "Resolve"}}]}
    assert block_html(button) == '<div class="actions"><span class="btn danger">Resolve</span></div>'
    assert "<script" not in block_html({"type": "section", "text": {"type": "mrkdwn", "text": "<script>x"}})


async def test_the_script_renders_the_demos_real_messages(tmp_path: Path) -> None:
    out = await _script("--html-only", str(tmp_path))
    assert [Path(line).name for line in out.split()] == [f"{p}.html" for p in
                                                        ("summary-card", "status-page", "triage", "review-card")]
    card = (tmp_path / "summary-card.html").read_text()
    for seen in ("INC-1: Card payments failing in EU", "SEV-1 Critical", "@priya", '<span class="btn danger">Resolve'):
        assert seen in card, seen
    assert "Firing: Card payments failing in EU" in (tmp_path / "triage.html").read_text()
    assert "Post-incident review: INC-1" in (tmp_path / "review-card.html").read_text()
    assert "Payments status" in (tmp_path / "status-page.html").read_text()


async def test_the_pictures_are_captured_and_in_the_readme(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    for name in PICTURES:
        assert f"](docs/{name}.png)" in readme and (ROOT / "docs" / f"{name}.png").is_file(), name
    if not any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")):
        if os.environ.get("CI"):
            pytest.fail("no chromium: .ci/run installs Debian's")
        pytest.skip("no headless chromium here")
    await _script("--out", str(tmp_path))
    for name in PICTURES:
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
