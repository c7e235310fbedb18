"""The import rules hold for the project, and each kind of break of them is caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.rules import problems

ROOT = Path(__file__).resolve().parents[2]


def test_the_project_keeps_every_import_rule() -> None:
    assert problems(ROOT) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for package in ("bot", "handlers", "models"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(tmp_path).parents:
            init = tmp_path / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text("")
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(("files", "expected"), [
    ({"bot/incidents/service.py": "from bot.clocks import service\n",
      "bot/clocks/service.py": "def f():\n    from bot.incidents.service import declare\n"},
     "import loop: bot.clocks.service -> bot.incidents.service"),
    ({"bot/clocks/service.py": "from slack_sdk.errors import SlackApiError\n"},
     "bot.clocks.service changes state but imports slack_sdk.errors"),
    ({"bot/clocks/service.py": "from bot.clocks import blocks\n", "bot/clocks/blocks.py": ""},
     "bot.clocks.service changes state but imports the builder bot.clocks.blocks"),
    ({"bot/pir/review.py": "from bot.pir.blocks import pir_card\n", "bot/pir/blocks.py": ""},
     "bot.pir.review changes state but imports the builder bot.pir.blocks"),
    ({"bot/clocks/blocks.py": "from bot.incidents.service import SOURCES\n", "bot/incidents/service.py": ""},
     "bot.clocks.blocks renders but imports the service bot.incidents.service"),
    ({"bot/clocks/effects.py": "from bot.jobs.table import enqueue\n", "bot/jobs/table.py": ""},
     "bot.clocks.effects takes bot.jobs.table; a domain's effects use bot.jobs.context only"),
    ({"bot/app.py": "from bot.emulator import SlackEmulator\n", "bot/emulator/__init__.py": ""},
     "bot.app imports bot.emulator (only bot/demo.py, bench/ and the tests may)"),
    ({"handlers/events/home.py": "from models.db import make_sessionmaker\n"},
     "handlers.events.home is a handler but imports models.db"),
    ({"handlers/events/home.py": "async def f(deps):\n    async with deps.sessionmaker() as s:\n        pass\n"},
     "handlers.events.home is a handler but reaches a session (sessionmaker); go through deps"),
])
def test_a_break_is_caught(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    assert any(expected in problem for problem in problems(_tree(tmp_path, files)))
