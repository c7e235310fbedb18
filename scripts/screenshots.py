"""The README's pictures, made from the demo's real messages so they never drift from the code.

    .venv/bin/python scripts/screenshots.py              # writes docs/*.png (needs chromium)
    .venv/bin/python scripts/screenshots.py --html-only DIR   # only the HTML pages, no browser

Plays `incident-bot demo` (the real bot against the Slack emulator), then renders the summary card, an
alert's triage message and the review card to HTML (bot/emulator/html.py) and captures them, and the
bot's public status page as it serves it, with headless Chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import shutil
import sys
import tempfile
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.demo import play  # noqa: E402
from bot.emulator.html import message_html  # noqa: E402
from bot.emulator.state import Message, Workspace  # noqa: E402

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# picture -> window size (width, height) in CSS pixels
SIZES = {"summary-card": (680, 640), "triage": (680, 350), "review-card": (680, 290), "status-page": (420, 760)}


def pages(ws: Workspace, moment: str) -> dict[str, str]:
    """The HTML of each message picture of this moment of the demo: mid-incident ("live") the summary card
    with its controls; at the end the alert's triage message (attached to the incident) and the review card."""
    inc = next(c for c in ws.channels.values() if c.name.startswith("inc-1-"))

    def page(msg: Message | None, title: str) -> str:
        assert msg is not None, title
        return message_html(msg, ws.users, ws.channels, title=title)

    if moment == "live":
        return {"summary-card": page(ws.message(inc.id, inc.pins[0]), "The summary card")}
    triage = next(m for c in ws.channels.values() for m in ws.messages_in(c.id)
                  if any(str(b.get("block_id", "")).startswith("alert_triage:") for b in m.blocks))
    review = next(m for m in reversed(ws.messages_in(inc.id)) if "Post-incident review" in m.text)
    return {"triage": page(triage, "An alert's triage message"), "review-card": page(review, "The review card")}


async def shoot(browser: str, url: str, out: Path, size: tuple[int, int], profile: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--hide-scrollbars", f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
        f"--screenshot={out}", url, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    if proc.returncode != 0 or not out.is_file():
        raise RuntimeError(f"chromium could not capture {url}: {err.decode(errors='replace')[-500:]}")


async def make(out_dir: Path, *, html_only: bool) -> list[Path]:
    browser = None if html_only else next((p for n in BROWSERS if (p := shutil.which(n))), None)
    if not html_only and browser is None:
        raise SystemExit("no chromium found: install Debian's chromium, or pass --html-only DIR")
    out_dir.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []

    async def capture(ws: Workspace, status_url: str, moment: str) -> None:
        found = pages(ws, moment)
        if moment == "live":  # customers' view while the incident is on
            async with aiohttp.ClientSession() as http, http.get(status_url) as resp:
                found["status-page"] = await resp.text()
        with tempfile.TemporaryDirectory(prefix="incident-bot-shots-") as tmp:
            for name, content in found.items():
                page = (out_dir if html_only else Path(tmp)) / f"{name}.html"
                page.write_text(content, encoding="utf-8")
                if html_only:
                    made.append(page)
                    continue
                assert browser is not None
                target = out_dir / f"{name}.png"
                url = status_url if name == "status-page" else page.as_uri()
                await shoot(browser, url, target, SIZES[name], Path(tmp) / f"profile-{name}")
                made.append(target)

    with tempfile.TemporaryDirectory(prefix="incident-bot-shots-db-") as tmp, \
            contextlib.redirect_stdout(io.StringIO()):
        await play(Path(tmp) / "demo.db", capture=capture)
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the pictures go (default docs/)")
    parser.add_argument("--html-only", type=Path, metavar="DIR", help="write only the HTML pages to DIR")
    args = parser.parse_args()
    made = asyncio.run(make(args.html_only or args.out, html_only=args.html_only is not None))
    for path in made:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
