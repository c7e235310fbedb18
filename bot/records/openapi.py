"""The read API's OpenAPI 3 description, served at /api/v1/openapi.json; the contract test
(tests/records/test_api_contract.py) checks the API against it."""

from __future__ import annotations

from typing import Any

from models import ROLES, STATUSES

_TIME = {"type": "string", "format": "date-time"}
_NTIME = {"type": "string", "format": "date-time", "nullable": True}
_NSTR = {"type": "string", "nullable": True}
_NINT = {"type": "integer", "nullable": True}


def _obj(props: dict[str, Any], required: list[str] | None = None, extra: bool = False) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required if required is not None else list(props),
            "additionalProperties": extra}


INCIDENT = _obj({
    "key": {"type": "string", "pattern": "^INC-[0-9]+$"}, "number": {"type": "integer", "minimum": 1},
    "title": {"type": "string"}, "severity": {"type": "string", "pattern": "^SEV-[1-9]$"},
    "status": {"type": "string", "enum": list(STATUSES)}, "private": {"type": "boolean"}, "type": _NSTR,
    "source": {"type": "string"}, "surface": _NSTR, "regulatory": {"type": "boolean"}, "channel_id": _NSTR,
    "roles": _obj({role: _NSTR for role in ROLES}), "declared_at": _TIME, "acknowledged_at": _NTIME,
    "mitigated_at": _NTIME, "resolved_at": _NTIME, "closed_at": _NTIME, "drill": {"type": "boolean"},
})
DETAIL = _obj({**INCIDENT["properties"], **{
    "impact": _obj({"severity_impact": _NSTR, "impact_start": _NSTR, "impact_end": _NSTR,
                    "failed_transactions": _NSTR, "amount_affected": _NSTR, "merchants_affected": _NSTR,
                    "regions": _NSTR}),
    "payment_impact": {"type": "object", "additionalProperties": True,
                       "description": "the structured payment impact as it stands (see /incident impact)"},
    "detected_at": _NTIME,
    "durations": _obj({"time_to_detect": _NINT, "time_to_acknowledge": _NINT, "time_to_mitigate": _NINT,
                       "time_to_resolve": _NINT}),
    "review": {**_obj({"state": {"type": "string", "enum": ["open", "complete", "skipped"]}, "owner": _NSTR,
                       "due_at": _NTIME, "completed_at": _NTIME, "confluence_url": _NSTR}), "nullable": True},
    "action_items": {"type": "array", "items": _obj({
        "id": {"type": "integer"}, "description": {"type": "string"}, "owner": {"type": "string"},
        "kind": {"type": "string"}, "due_date": {"type": "string", "format": "date"},
        "status": {"type": "string", "enum": ["open", "done"]}, "done_at": _NTIME, "jira_key": _NSTR,
        "jira_url": _NSTR})},
    "jira_key": _NSTR}})
EVENT = _obj({"id": {"type": "integer"}, "at": _TIME, "kind": {"type": "string"}, "actor": {"type": "string"},
              "via": {"type": "string"}, "data": {"type": "object", "additionalProperties": True}})
ERROR = _obj({"error": {"type": "string"}})


def _answers(ok: dict[str, Any], *, not_found: bool = False, bad: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": ok}}},
                           "401": {"$ref": "#/components/responses/Unauthorized"},
                           "503": {"$ref": "#/components/responses/Unavailable"}}
    if bad:
        out["400"] = {"$ref": "#/components/responses/BadRequest"}
    if not_found:
        out["404"] = {"$ref": "#/components/responses/NotFound"}
    return out


def _param(name: str, schema: dict[str, Any], description: str, where: str = "query") -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": schema, "description": description}


LIMIT = _param("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "page size")
CURSOR = _param("cursor", {"type": "string", "pattern": "^[0-9]{1,9}$"}, "next_cursor of the previous page")
KEY = _param("key", {"type": "string", "pattern": "^INC-[0-9]{1,9}$"}, "the incident's key, e.g. INC-7", "path")


def spec(severities: list[str]) -> dict[str, Any]:
    """`severities`: the policy's severity names, the values the severity filter takes."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "incident-bot read API", "version": "1",
                 "description": "Incidents, their details and timelines, for dashboards and scripts. Bearer tokens "
                                "come from API_TOKENS; private incidents are visible only to tokens granted them."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/incidents": {"get": {
                "operationId": "listIncidents", "summary": "Incidents, newest first",
                "parameters": [
                    _param("status", {"type": "string", "enum": list(STATUSES)}, "only incidents in this status"),
                    _param("severity", {"type": "string", "enum": severities}, "only this severity, e.g. SEV-1"),
                    _param("since", {"type": "string", "format": "date-time"}, "declared at or after this time"),
                    LIMIT, CURSOR],
                "responses": _answers(_obj({"incidents": {"type": "array", "items": {
                    "$ref": "#/components/schemas/Incident"}}, "next_cursor": _NSTR}))}},
            "/api/v1/incidents/{key}": {"get": {
                "operationId": "getIncident", "summary": "One incident with roles, impact and durations",
                "parameters": [KEY], "responses": _answers({"$ref": "#/components/schemas/IncidentDetail"},
                                                           not_found=True, bad=False)}},
            "/api/v1/incidents/{key}/timeline": {"get": {
                "operationId": "getTimeline", "summary": "The incident's timeline, oldest first",
                "parameters": [KEY, LIMIT, CURSOR],
                "responses": _answers(_obj({"incident": {"type": "string"}, "events": {
                    "type": "array", "items": {"$ref": "#/components/schemas/TimelineEvent"}},
                    "next_cursor": _NSTR}), not_found=True)}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Incident": INCIDENT, "IncidentDetail": DETAIL, "TimelineEvent": EVENT, "Error": ERROR},
            "responses": {name: {"description": text, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}} for name, text in (
                ("BadRequest", "A parameter is not valid; the message names it"),
                ("Unauthorized", "No token, or one API_TOKENS does not list"),
                ("NotFound", "No such incident (or a private one this token may not see)"),
                ("Unavailable", "The database is unreachable; retry"))},
        },
    }
