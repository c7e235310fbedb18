"""A small client for Jira Cloud's REST API v3: create and edit an issue, find an account by email,
list and apply transitions. Basic auth with an Atlassian account's email and API token.

    POST {JIRA_URL}/rest/api/3/issue                    {"fields": {...}}  -> {"id", "key", "self"}
    PUT  {JIRA_URL}/rest/api/3/issue/{key}              {"fields": {...}}  -> 204
    GET  {JIRA_URL}/rest/api/3/user/search?query=<email>                   -> [{"accountId", ...}]
    GET  {JIRA_URL}/rest/api/3/search/jql?jql=labels = "<label>"           -> {"issues": [...]}
    GET  {JIRA_URL}/rest/api/3/issue/{key}/transitions                     -> {"transitions": [...]}
    POST {JIRA_URL}/rest/api/3/issue/{key}/transitions  {"transition": {"id"}} -> 204

429 raises RateLimited (the worker waits Retry-After, never counting it), a 5xx or a network error
raises AtlassianUnavailable (retried with backoff), any other refusal AtlassianRefused with Atlassian's
own words (errorMessages and errors), which no retry fixes.
"""

from __future__ import annotations

import base64
from typing import Any

import aiohttp

from bot.jobs.context import RateLimited

TIMEOUT = aiohttp.ClientTimeout(total=20)


class AtlassianRefused(Exception):
    """Jira or Confluence refused the request (a 4xx other than 429): retrying will not help."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AtlassianUnavailable(ConnectionError):
    """A 5xx answer: try again later."""



def error_words(answer: Any) -> str:
    """Atlassian's error bodies in a line: Jira's {"errorMessages", "errors"}, Confluence's {"errors": [...]}."""
    if isinstance(answer, dict):
        errors = answer.get("errors")
        parts = [str(m) for m in answer.get("errorMessages") or []]
        if isinstance(errors, dict):
            parts += [f"{k}: {v}" for k, v in errors.items()]
        elif isinstance(errors, list):
            parts += [str(e.get("title") or e.get("code")) for e in errors if isinstance(e, dict)]
        if parts:
            return "; ".join(parts)[:500]
    return str(answer)[:300] if answer else "no details"


async def request(method: str, url: str, auth: tuple[str, str], *, json: Any = None,
                  params: dict[str, str] | None = None, what: str) -> Any:
    """One call to Jira or Confluence; the decoded JSON answer (None for 204)."""
    basic = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    headers = {"Accept": "application/json", "Authorization": f"Basic {basic}"}
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http, \
            http.request(method, url, json=json, params=params, headers=headers) as resp:
        text = await resp.text()
        try:
            answer = await resp.json(content_type=None) if text else None
        except ValueError:
            answer = text
        if resp.status == 429:
            raise RateLimited(f"{what}: HTTP 429", resp.headers.get("Retry-After"))
        if resp.status >= 500:
            raise AtlassianUnavailable(f"{what}: HTTP {resp.status}")
        if resp.status >= 400:
            raise AtlassianRefused(f"{what} was refused (HTTP {resp.status}): {error_words(answer)}", resp.status)
        return answer


class JiraClient:
    def __init__(self, base_url: str, auth: tuple[str, str]) -> None:
        self.api = f"{base_url.rstrip('/')}/rest/api/3"
        self.site = base_url.rstrip("/")
        self.auth = auth

    def browse_url(self, key: str) -> str:
        return f"{self.site}/browse/{key}"

    async def create_issue(self, fields: dict[str, Any]) -> tuple[str, str]:
        """(id, key) of the new issue."""
        answer = await request("POST", f"{self.api}/issue", self.auth, json={"fields": fields},
                               what="Jira create issue")
        if not isinstance(answer, dict) or not answer.get("key"):
            raise AtlassianRefused("Jira created the issue but its answer names no key", 200)
        return str(answer["id"]), str(answer["key"])

    async def edit_issue(self, key: str, fields: dict[str, Any]) -> None:
        await request("PUT", f"{self.api}/issue/{key}", self.auth, json={"fields": fields}, what=f"Jira edit {key}")

    async def find_labelled(self, label: str) -> tuple[str, str] | None:
        """(id, key) of an issue carrying `label`: one an earlier attempt created before its answer was lost."""
        answer = await request("GET", f"{self.api}/search/jql", self.auth,
                               params={"jql": f'labels = "{label}"', "fields": "key", "maxResults": "1"},
                               what="Jira search")
        issues = (answer or {}).get("issues") if isinstance(answer, dict) else None
        return (str(issues[0]["id"]), str(issues[0]["key"])) if issues else None

    async def account_for(self, email: str) -> str | None:
        """The account whose email is `email` exactly (Jira's search also matches names), or None."""
        found = await request("GET", f"{self.api}/user/search", self.auth, params={"query": email},
                              what="Jira user search")
        for user in found if isinstance(found, list) else []:
            if str(user.get("emailAddress", "")).lower() == email.lower() and user.get("active", True):
                return str(user["accountId"])
        return None

    async def transitions(self, key: str) -> list[dict[str, Any]]:
        answer = await request("GET", f"{self.api}/issue/{key}/transitions", self.auth,
                               what=f"Jira transitions of {key}")
        return list((answer or {}).get("transitions") or [])

    async def transition(self, key: str, transition_id: str) -> None:
        await request("POST", f"{self.api}/issue/{key}/transitions", self.auth,
                      json={"transition": {"id": transition_id}}, what=f"Jira transition {key}")
