"""Logging for operators: `LOG_FORMAT=text` (the default, for people) or `json`, one object per line with
the level, the logger, the message and, where known, the incident key, the job id and the request id.

The ids come from context variables the worker (per job) and the HTTP server (per request) set, so a log
line written anywhere below them carries them. Whatever the format, anything shaped like a Slack token
is masked; titles of incidents are never logged at INFO (the code logs ids and keys, not titles).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

incident_key: ContextVar[str | None] = ContextVar("incident_key", default=None)
job_id: ContextVar[int | None] = ContextVar("job_id", default=None)
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

_TOKEN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def mask(text: str) -> str:
    return _TOKEN.sub(lambda m: f"{m.group(1)}-***", text)


def for_job(job: int) -> None:
    """This task now runs job `job`; its incident is set once the effect loads it."""
    job_id.set(job)
    incident_key.set(None)


def new_request_id(given: str | None = None) -> str:
    """The caller's X-Request-Id when it looks like one, else a fresh id; set for this request's task."""
    rid = given if given and re.fullmatch(r"[A-Za-z0-9._-]{1,64}", given) else uuid.uuid4().hex[:16]
    request_id.set(rid)
    return rid


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": mask(record.getMessage()),
        }
        for key, var in (("incident", incident_key), ("job", job_id), ("request", request_id)):
            value = var.get()
            if value is not None:
                out[key] = value
        if record.exc_info:
            out["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


def configure(level: str, fmt: str) -> None:
    """The root logger's one handler on standard error, in the chosen format."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else MaskingFormatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
