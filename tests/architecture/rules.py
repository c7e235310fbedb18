"""The import rules of DESIGN.md, read from the code with `ast`:

- no import loop among the modules of bot/ and handlers/, the emulator and the vendors' fakes included;
- the modules that change state (a domain's service.py and its other logic modules) import neither
  slack_sdk/slack_bolt nor any Block Kit builder (blocks, modals) nor any effects;
- blocks and modals import no service;
- a domain's effects take from bot/jobs only its context;
- nothing but bot/demo.py, bench/ and the tests imports bot.emulator;
- handlers never import models.db, sqlalchemy or sqlmodel, and never reach a session or a sessionmaker.

`problems(root)` lists every break of a rule in the tree at `root`, one line each; the suite asserts the
project's list is empty and that a tree with each kind of break is caught.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PACKAGES = ("bot", "handlers", "models")
RENDERERS = {"blocks", "modals"}  # Slack rendering, by module name
# Domain modules that render rather than change state (besides blocks, modals and effects).
NOT_LOGIC = {"bot.pir.document", "bot.metrics.chart", "bot.timeline.describe", "bot.comms.statuspage.html",
             "bot.comms.statuspage.client"}
SLACK = ("slack_sdk", "slack_bolt")
DB = ("models.db", "sqlalchemy", "sqlmodel")
SESSION_WORDS = {"sessionmaker", "AsyncSession", "async_sessionmaker"}
CORE = {"core", "jobs", "policy", "blocks", "emulator", "ops"}  # folders of bot/ that are not domains


@dataclass
class Module:
    name: str
    path: Path
    imports: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # identifiers and attributes it uses


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def read(root: Path) -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            modules[_module_name(root, path)] = Module(_module_name(root, path), path)
    for mod in modules.values():
        tree = ast.parse(mod.path.read_text(encoding="utf-8"), str(mod.path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mod.imports |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                base = node.module if node.level == 0 else _relative(mod, node.module, node.level)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    mod.imports.add(sub if sub in modules else base)
            elif isinstance(node, ast.Name):
                mod.names.add(node.id)
            elif isinstance(node, ast.Attribute):
                mod.names.add(node.attr)
    return modules


def _relative(mod: Module, name: str, level: int) -> str:
    base = mod.name.split(".")
    if mod.path.name != "__init__.py":
        base = base[:-1]
    return ".".join(base[: len(base) - level + 1] + [name])


def _within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _leaf(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def is_domain(name: str) -> bool:
    parts = name.split(".")
    return len(parts) >= 3 and parts[0] == "bot" and parts[1] not in CORE


def is_logic(name: str) -> bool:
    """A module of a domain that changes state: its service.py and everything that is not rendering."""
    return is_domain(name) and _leaf(name) not in {*RENDERERS, "effects"} and name not in NOT_LOGIC


def loops(modules: dict[str, Module]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan)."""
    graph = {n: sorted(i for i in m.imports if i in modules)
             for n, m in modules.items() if _within(n, "bot", "handlers")}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def problems(root: Path) -> list[str]:
    modules = read(root)
    out = [f"import loop: {' -> '.join(group)}" for group in loops(modules)]
    for name, mod in sorted(modules.items()):
        for imported in sorted(mod.imports):
            if is_logic(name):
                if _within(imported, *SLACK):
                    out.append(f"{name} changes state but imports {imported} (Slack belongs in blocks and effects)")
                if _within(imported, "bot") and _leaf(imported) in RENDERERS:
                    out.append(f"{name} changes state but imports the builder {imported}")
                if _within(imported, "bot") and _leaf(imported) == "effects":
                    out.append(f"{name} changes state but imports {imported}")
            if _leaf(name) in RENDERERS and _within(imported, "bot") and _leaf(imported) == "service":
                out.append(f"{name} renders but imports the service {imported}")
            if (is_domain(name) and _leaf(name) == "effects" and _within(imported, "bot.jobs")
                    and imported != "bot.jobs.context"):
                out.append(f"{name} takes {imported}; a domain's effects use bot.jobs.context only")
            if _within(imported, "bot.emulator") and not _within(name, "bot.emulator", "bot.demo"):
                out.append(f"{name} imports {imported} (only bot/demo.py, bench/ and the tests may)")
            if _within(name, "handlers") and _within(imported, *DB):
                out.append(f"{name} is a handler but imports {imported}")
        if _within(name, "handlers"):
            for word in sorted(mod.names & SESSION_WORDS):
                out.append(f"{name} is a handler but reaches a session ({word}); go through deps")
    return out


def walk_python(root: Path) -> Iterator[Path]:
    for package in PACKAGES:
        yield from (root / package).rglob("*.py")
