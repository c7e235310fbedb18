"""What every alert parser shares: the normalised alert, the error, and careful field readers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.core.text import storable

MAX_TITLE = 300
MAX_FINGERPRINT = 200
MAX_LABELS = 64
MAX_LABEL_VALUE = 500
MAX_LINK = 2000
# Alertmanager and Grafana write "no end yet" as Go's zero time.
_ZERO_TIME_YEAR = 1


class MalformedPayload(ValueError):
    """The body cannot be used; the message says which field is wrong and how."""


@dataclass(frozen=True)
class ParsedAlert:
    source: str
    fingerprint: str
    status: str  # firing | resolved
    title: str
    summary: str | None = None
    severity: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    link: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)  # the alert exactly as received
    # The source's own group (Alertmanager's groupKey): its alerts fold into one triage message.
    group_key: str | None = None
    group_title: str | None = None  # what the group is called when it holds several alerts
    truncated: int = 0  # alerts of the group the source left out of the notification
    links: dict[str, str] = field(default_factory=dict)  # label -> URL: runbook, dashboard, panel, silence


def load_json(body: bytes) -> Any:
    """The body as JSON, every string in it storable: a NUL (which PostgreSQL's text refuses) is dropped
    and a lone surrogate (which UTF-8 cannot encode) becomes U+FFFD."""
    if not body.strip():
        raise MalformedPayload("the body is empty; send a JSON document")
    try:
        return clean(json.loads(body))
    except UnicodeDecodeError:
        raise MalformedPayload("the body is not UTF-8 text") from None
    except ValueError as exc:
        raise MalformedPayload(f"the body is not valid JSON ({exc})") from None
    except RecursionError:
        raise MalformedPayload("the body is nested too deeply") from None


def clean(value: Any) -> Any:
    """`value` with every string (keys included) made storable, however deep."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {storable(str(k)): clean(v) for k, v in value.items()}
    return value


def obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedPayload(f"{where} must be a JSON object, not {type_name(value)}")
    return value


def type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def text(value: Any, where: str, *, required: bool = False) -> str | None:
    """A string field; numbers are accepted as their text. Empty counts as missing."""
    if value is None or value == "":
        if required:
            raise MalformedPayload(f"{where} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise MalformedPayload(f"{where} must be a string, not {type_name(value)}")
    out = str(value).strip()
    if not out and required:
        raise MalformedPayload(f"{where} is required")
    return out or None


def status(value: Any, where: str, *, default: str | None = None) -> str:
    raw = text(value, where, required=default is None) or default
    assert raw is not None
    s = raw.lower()
    if s not in ("firing", "resolved"):
        raise MalformedPayload(f"{where} must be \"firing\" or \"resolved\", not {raw!r}")
    return s


def labels(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    obj(value, where)
    if len(value) > MAX_LABELS:
        raise MalformedPayload(f"{where} has {len(value)} labels; at most {MAX_LABELS}")
    out = {}
    for key, v in value.items():
        if isinstance(v, (dict, list)):
            raise MalformedPayload(f"{where}.{key} must be a string, not {type_name(v)}")
        out[str(key)[:100]] = "" if v is None else str(v)[:MAX_LABEL_VALUE]
    return out


def timestamp(value: Any, where: str) -> datetime | None:
    """RFC 3339 / ISO 8601 with a zone, or epoch seconds or milliseconds; Go's zero time is None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedPayload(f"{where} must be a timestamp, not a boolean")
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, (int, float)):
        try:
            seconds = value / 1000 if value > 10**11 else value  # epoch milliseconds (Datadog's $DATE)
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise MalformedPayload(f"{where}: {str(value)[:40]} is out of range") from None
    if not isinstance(value, str):
        raise MalformedPayload(f"{where} must be a timestamp, not {type_name(value)}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise MalformedPayload(f"{where}: {value!r} is not an RFC 3339 timestamp "
                               "(e.g. 2026-11-26T09:00:00Z)") from None
    if parsed.tzinfo is None:
        raise MalformedPayload(f"{where}: {value!r} has no time zone; add Z or an offset")
    if parsed.year <= _ZERO_TIME_YEAR:
        return None
    return parsed.astimezone(UTC)


def link(value: Any, where: str) -> str | None:
    url = text(value, where)
    if url is None:
        return None
    if not url.startswith(("https://", "http://")):
        raise MalformedPayload(f"{where} must be an http(s) URL, not {url[:80]!r}")
    return url[:MAX_LINK]


def fingerprint(value: str | None, *parts: Any) -> str:
    """The given fingerprint, or a stable hash of what identifies the alert; long ones are hashed."""
    if value and len(value) <= MAX_FINGERPRINT:
        return value
    basis = value or json.dumps(parts, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(basis.encode()).hexdigest()[:40]


def title(value: str | None, fallback: str) -> str:
    out = " ".join((value or fallback).split()) or fallback
    return out if len(out) <= MAX_TITLE else out[: MAX_TITLE - 1] + "…"
