"""The built-in policy, read once from default.toml (shipped with the package): every section's
defaults come from here, so the figures live in one file an operator can read; and the rule by which
a policy file's keyed tables add to them."""

from __future__ import annotations

import copy
import re
import tomllib
from importlib.resources import files
from typing import Any

from pydantic import BaseModel, ValidationError

_DEFAULTS: dict[str, Any] = tomllib.loads(files("bot.policy").joinpath("default.toml").read_text(encoding="utf-8"))


def defaults(section: str) -> Any:
    """A fresh copy of one section of the built-in policy (`severity`, `comms`, `drills`, …)."""
    return copy.deepcopy(_DEFAULTS.get(section, {}))


_KEY = re.compile(r"^[a-z0-9_]{1,40}$")


def keyed_tables(model: type[BaseModel], builtin: dict[str, dict[str, Any]], v: Any, what: str) -> dict[str, Any]:
    """Tables keyed by name (`[playbooks.<key>]`, `[drills.<key>]`): the file's add to the built-in ones
    or change them key by key; each is validated, and a problem names `<key>.<field>`."""
    if not isinstance(v, dict):
        raise ValueError(f"must be tables like [{what}.<key>]")
    merged = {k: dict(d) for k, d in builtin.items()}
    for key, item in v.items():
        if not _KEY.match(str(key)):
            raise ValueError(f"{key!r}: keys are lowercase letters, digits and _ (at most 40)")
        if isinstance(item, BaseModel):
            merged[str(key)] = item.model_dump()
        elif isinstance(item, dict):
            merged[str(key)] = {**merged.get(str(key), {}), **item}
        else:
            raise ValueError(f"{key!r} must be a table")
    out = {}
    for key, data in merged.items():
        try:
            out[key] = model.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in (key, *err["loc"]))
            raise ValueError(f"{loc}: {err['msg'].removeprefix('Value error, ')}") from None
    return out
