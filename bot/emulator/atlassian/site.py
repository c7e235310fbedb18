"""One fake Atlassian Cloud site: Jira at /rest/api/3, Confluence at /wiki/api/v2.

Jira Cloud REST v3 (what the bot calls):
    POST /rest/api/3/issue                      fields.project.key, summary, issuetype, description (ADF) -> 201
    PUT  /rest/api/3/issue/{key}                fields to change -> 204
    GET  /rest/api/3/issue/{key}
    GET  /rest/api/3/user/search?query=<email>  -> [user]
    GET  /rest/api/3/search/jql?jql=labels="x"  -> {"issues": [...], "nextPageToken": null}
    GET  /rest/api/3/issue/{key}/transitions    -> {"transitions": [...]}
    POST /rest/api/3/issue/{key}/transitions    {"transition": {"id": ...}} -> 204
  errors: {"errorMessages": [...], "errors": {field: message}}; 401 without valid basic auth.
Confluence Cloud REST v2:
    POST /wiki/api/v2/pages        spaceId, title, body {representation: storage, value}, parentId -> 200
    GET  /wiki/api/v2/pages/{id}   -> the page with version.number
    PUT  /wiki/api/v2/pages/{id}   id, status, title, body, version.number = current + 1 -> 200; 409 when stale
  errors: {"errors": [{"status", "code", "title", "detail"}]}.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from bot.emulator.atlassian import adf

# the one workflow of the fake's projects: status -> the transitions out of it (id, name, to, category)
WORKFLOW: dict[str, list[tuple[str, str, str, str]]] = {
    "To Do": [("21", "Start progress", "In Progress", "indeterminate"), ("31", "Done", "Done", "done")],
    "In Progress": [("11", "Stop progress", "To Do", "new"), ("31", "Done", "Done", "done")],
    "Done": [("41", "Reopen", "To Do", "new")],
}
CATEGORY = {"To Do": "new", "In Progress": "indeterminate", "Done": "done"}
BODY: web.RequestKey[Any] = web.RequestKey("body", Any)
_STORAGE_ROOT = ('<root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">'
                 '{}</root>')


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    status: int


@dataclass
class FakeAtlassian:
    email: str = "incident-bot@example.com"
    api_token: str = "atlassian-api-token"
    projects: dict[str, set[str]] = field(default_factory=lambda: {"PAY": {"Task", "Bug", "Story"}})
    spaces: set[str] = field(default_factory=lambda: {"98306"})
    users: list[dict[str, Any]] = field(default_factory=list)
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> issue
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> page
    requests: list[Recorded] = field(default_factory=list)
    webhook_url: str | None = None  # where Jira's webhooks go (the bot's /webhooks/jira)
    webhook_secret: str | None = None
    url: str = ""
    _failures: list[tuple[str, int, str | None]] = field(default_factory=list)  # (path prefix, status, Retry-After)
    _lost: list[tuple[str, int]] = field(default_factory=list)  # (path prefix, status): done, but the answer lost
    _ids: Any = field(default_factory=lambda: itertools.count(10001))
    _runner: web.AppRunner | None = None

    # -- set-up and control ------------------------------------------------------------------
    def add_user(self, email: str, name: str) -> str:
        account = f"5b10ac8d82e05b22cc7d{len(self.users):04d}"
        self.users.append({"accountId": account, "accountType": "atlassian", "emailAddress": email,
                           "displayName": name, "active": True})
        return account

    def fail(self, times: int, status: int = 503, *, retry_after: str | None = None, path: str = "/") -> None:
        """Answer the next `times` requests under `path` with HTTP `status` (and Retry-After)."""
        self._failures += [(path, status, retry_after)] * times

    def lose_answers(self, times: int, status: int = 502, *, path: str = "/") -> None:
        """Carry out the next `times` requests under `path` but answer `status`, as when a proxy times out
        after Jira did the work: a client that retries blindly makes a duplicate."""
        self._lost += [(path, status)] * times

    def made(self, method: str, prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix) and r.status < 300]

    @property
    def jira_url(self) -> str:
        return self.url

    @property
    def confluence_url(self) -> str:
        return self.url  # the bot adds /wiki/api/v2, as on a real site

    async def start(self) -> str:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_post("/rest/api/3/issue", self._create_issue)
        r.add_get("/rest/api/3/issue/{key}", self._get_issue)
        r.add_put("/rest/api/3/issue/{key}", self._edit_issue)
        r.add_get("/rest/api/3/issue/{key}/transitions", self._transitions)
        r.add_post("/rest/api/3/issue/{key}/transitions", self._transition)
        r.add_get("/rest/api/3/user/search", self._user_search)
        r.add_get("/rest/api/3/search/jql", self._search)
        r.add_post("/wiki/api/v2/pages", self._create_page)
        r.add_get("/wiki/api/v2/pages/{id}", self._get_page)
        r.add_put("/wiki/api/v2/pages/{id}", self._update_page)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- Jira's side of a person's work: close an issue in Jira, which sends the webhook --------------
    async def close_issue(self, key: str) -> int:
        """Someone moves the issue to Done in Jira; Jira tells the bot. The webhook's HTTP status."""
        issue = self.issues[key]
        before = issue["status"]
        issue["status"] = "Done"
        body = {
            "timestamp": int(datetime.now(UTC).timestamp() * 1000),
            "webhookEvent": "jira:issue_updated",
            "issue_event_type_name": "issue_generic",
            "user": {"accountId": "5b10ac8d82e05b22cc7dffff", "displayName": "Someone in Jira"},
            "issue": self._issue_json(issue),
            "changelog": {"id": str(next(self._ids)), "items": [
                {"field": "status", "fieldtype": "jira", "fromString": before, "toString": "Done"}]},
        }
        return await self.send_webhook(body)

    async def send_webhook(self, body: dict[str, Any], *, sign_with: str | None = None) -> int:
        assert self.webhook_url, "set webhook_url to the bot's /webhooks/jira"
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "X-Atlassian-Webhook-Identifier": str(uuid.uuid4())}
        secret = sign_with or self.webhook_secret
        if secret:
            headers["X-Hub-Signature"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        async with aiohttp.ClientSession() as http, http.post(self.webhook_url, data=raw, headers=headers) as resp:
            return resp.status

    # -- plumbing -----------------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        for n, (prefix, status, retry_after) in enumerate(self._failures):
            if request.path.startswith(prefix):
                del self._failures[n]
                self.requests.append(Recorded(request.method, request.path, body, status))
                headers = {"Retry-After": retry_after} if retry_after else None
                return web.json_response({"errorMessages": [f"HTTP {status}"], "errors": {}}, status=status,
                                         headers=headers)
        if not self._authorised(request.headers.get("Authorization", "")):
            resp: web.StreamResponse = web.Response(status=401, text="Client must be authenticated to access "
                                                    "this resource.", headers={"WWW-Authenticate": 'Basic realm="x"'})
        elif isinstance(body, str):
            resp = _jira_error(400, ["Unexpected character in the JSON body"]) if "/rest/" in request.path else \
                _wiki_error(400, "INVALID_REQUEST_PARAMETER", "The body is not JSON")
        else:
            request[BODY] = body
            resp = await handler(request)
            for n, (prefix, status) in enumerate(self._lost):
                if request.path == prefix and resp.status < 300:
                    del self._lost[n]
                    resp = web.json_response({"errorMessages": ["Bad gateway"], "errors": {}}, status=status)
                    break
        self.requests.append(Recorded(request.method, request.path, body, resp.status))
        return resp

    def _authorised(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            email, _, token = base64.b64decode(value).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return email == self.email and hmac.compare_digest(token, self.api_token)

    # -- Jira -------------------------------------------------------------------------------------
    def _issue_json(self, issue: dict[str, Any]) -> dict[str, Any]:
        status = issue["status"]
        fields = {**issue["fields"], "status": {"name": status, "statusCategory": {"key": CATEGORY[status]}}}
        return {"id": issue["id"], "key": issue["key"], "self": f"{self.url}/rest/api/3/issue/{issue['id']}",
                "fields": fields}

    def _find(self, key: str) -> dict[str, Any] | None:
        return self.issues.get(key) or next((i for i in self.issues.values() if i["id"] == key), None)

    def _check_fields(self, fields: Any, *, creating: bool) -> dict[str, str]:
        if not isinstance(fields, dict):
            return {"fields": "fields must be an object"}
        errors: dict[str, str] = {}
        project = (fields.get("project") or {}).get("key") if isinstance(fields.get("project"), dict) else None
        if creating and project not in self.projects:
            errors["project"] = "Specify a valid project ID or key"
        if creating or "summary" in fields:
            summary = fields.get("summary")
            if not isinstance(summary, str) or not summary.strip():
                errors["summary"] = "You must specify a summary of the issue."
            elif len(summary) > 255 or "\n" in summary:
                errors["summary"] = "Summary must be less than 255 characters and on one line."
        if creating:
            kind = (fields.get("issuetype") or {}).get("name") if isinstance(fields.get("issuetype"), dict) else None
            if project in self.projects and kind not in self.projects[project]:
                errors["issuetype"] = "Specify an issue type"
        if "description" in fields and fields["description"] is not None:
            found = adf.problem(fields["description"])
            if found:
                errors["description"] = f"Operation value must be an Atlassian Document (see the Atlassian " \
                                        f"Document Format): {found}"
        if "duedate" in fields and fields["duedate"] is not None:
            try:
                datetime.strptime(str(fields["duedate"]), "%Y-%m-%d")
            except ValueError:
                errors["duedate"] = "Error parsing date string: " + str(fields["duedate"])[:40]
        labels = fields.get("labels", [])
        if not isinstance(labels, list) or any(not isinstance(x, str) or " " in x or not x for x in labels):
            errors["labels"] = "The label must not contain spaces."
        assignee = fields.get("assignee")
        if assignee is not None and not any(u["accountId"] == (assignee or {}).get("accountId") for u in self.users):
            errors["assignee"] = "Specify a valid value for assignee"
        return errors

    async def _create_issue(self, request: web.Request) -> web.Response:
        body = request[BODY] or {}
        fields = body.get("fields") if isinstance(body, dict) else None
        errors = self._check_fields(fields, creating=True)
        if errors:
            return _jira_error(400, [], errors)
        assert isinstance(fields, dict)
        number = sum(1 for i in self.issues.values() if i["key"].startswith(fields["project"]["key"] + "-")) + 1
        key = f"{fields['project']['key']}-{number}"
        issue = {"id": str(next(self._ids)), "key": key, "fields": dict(fields), "status": "To Do"}
        self.issues[key] = issue
        return web.json_response({"id": issue["id"], "key": key, "self": f"{self.url}/rest/api/3/issue/{issue['id']}"},
                                 status=201)

    async def _get_issue(self, request: web.Request) -> web.Response:
        issue = self._find(request.match_info["key"])
        if issue is None:
            return _jira_error(404, ["Issue does not exist or you do not have permission to see it."])
        return web.json_response(self._issue_json(issue))

    async def _edit_issue(self, request: web.Request) -> web.Response:
        issue = self._find(request.match_info["key"])
        if issue is None:
            return _jira_error(404, ["Issue does not exist or you do not have permission to see it."])
        body = request[BODY] or {}
        fields = body.get("fields") if isinstance(body, dict) else None
        errors = self._check_fields(fields, creating=False)
        if errors:
            return _jira_error(400, [], errors)
        assert isinstance(fields, dict)
        if "project" in fields or "issuetype" in fields:
            return _jira_error(400, [], {"project": "Field 'project' cannot be set. It is not on the appropriate "
                                                   "screen, or unknown."})
        issue["fields"].update(fields)
        return web.Response(status=204)

    async def _transitions(self, request: web.Request) -> web.Response:
        issue = self._find(request.match_info["key"])
        if issue is None:
            return _jira_error(404, ["Issue does not exist or you do not have permission to see it."])
        return web.json_response({"expand": "transitions", "transitions": [
            {"id": tid, "name": name, "hasScreen": False, "isAvailable": True,
             "to": {"name": to, "statusCategory": {"key": cat}}} for tid, name, to, cat in WORKFLOW[issue["status"]]]})

    async def _transition(self, request: web.Request) -> web.Response:
        issue = self._find(request.match_info["key"])
        if issue is None:
            return _jira_error(404, ["Issue does not exist or you do not have permission to see it."])
        body = request[BODY] or {}
        wanted = str(((body.get("transition") or {}) if isinstance(body, dict) else {}).get("id", ""))
        for tid, _, to, _ in WORKFLOW[issue["status"]]:
            if tid == wanted:
                issue["status"] = to
                return web.Response(status=204)
        return _jira_error(400, ["Transition id '" + wanted[:20] + "' is not valid for this issue."])

    async def _search(self, request: web.Request) -> web.Response:
        """The enhanced JQL search, for the one shape of query the fake understands: labels = "<label>"."""
        jql = request.query.get("jql", "")
        m = re.fullmatch(r'\s*labels\s*=\s*"?([^"\s]+)"?\s*', jql)
        if not m:
            return _jira_error(400, [f"Error in the JQL Query: the fake only understands labels = \"x\" ({jql[:60]})"])
        found = [self._issue_json(i) for i in self.issues.values() if m.group(1) in i["fields"].get("labels", [])]
        return web.json_response({"issues": found, "nextPageToken": None})

    async def _user_search(self, request: web.Request) -> web.Response:
        query = request.query.get("query", "").strip().lower()
        if not query:
            return _jira_error(400, ["One of 'query' or 'accountId' query parameters must be provided."])
        found = [u for u in self.users if query in u["emailAddress"].lower() or query in u["displayName"].lower()]
        return web.json_response(found)

    # -- Confluence -------------------------------------------------------------------------------
    def _page_json(self, page: dict[str, Any]) -> dict[str, Any]:
        webui = f"/spaces/{page['spaceId']}/pages/{page['id']}"
        return {"id": page["id"], "status": page["status"], "title": page["title"], "spaceId": page["spaceId"],
                "parentId": page["parentId"], "authorId": "bot",
                "version": {"number": page["version"], "message": page["message"], "createdAt": page["at"]},
                "body": {"storage": {"representation": "storage", "value": page["body"]}},
                "_links": {"webui": webui, "tinyui": f"/x/{page['id']}", "base": f"{self.url}/wiki"}}

    @staticmethod
    def _check_body(body: Any) -> str | None:
        if not isinstance(body, dict) or body.get("representation") != "storage" or \
                not isinstance(body.get("value"), str):
            return "body must be {\"representation\": \"storage\", \"value\": \"<p>…</p>\"}"
        try:
            ET.fromstring(_STORAGE_ROOT.format(body["value"]))
        except ET.ParseError as exc:
            return f"Error parsing xhtml: {exc}"
        return None

    async def _create_page(self, request: web.Request) -> web.Response:
        body = request[BODY] or {}
        if not isinstance(body, dict):
            return _wiki_error(400, "INVALID_REQUEST_PARAMETER", "The body must be an object")
        if str(body.get("spaceId")) not in self.spaces:
            return _wiki_error(404, "NOT_FOUND", "Space not found or you do not have permission to see it")
        title = body.get("title")
        if not isinstance(title, str) or not title.strip() or len(title) > 255:
            return _wiki_error(400, "INVALID_REQUEST_PARAMETER", "A page needs a title of at most 255 characters")
        parent = body.get("parentId")
        if parent is not None and str(parent) not in self.pages:
            return _wiki_error(404, "NOT_FOUND", "The parent page does not exist")
        problem = self._check_body(body.get("body"))
        if problem:
            return _wiki_error(400, "INVALID_REQUEST_PARAMETER", problem)
        if any(p["title"] == title and p["spaceId"] == str(body["spaceId"]) for p in self.pages.values()):
            return _wiki_error(400, "INVALID_REQUEST_PARAMETER", "A page with this title already exists: A page "
                               "already exists with the same TITLE in this space")
        page = {"id": str(next(self._ids)), "status": body.get("status") or "current", "title": title,
                "spaceId": str(body["spaceId"]), "parentId": str(parent) if parent else None,
                "body": body["body"]["value"], "version": 1, "message": "", "at": _now()}
        self.pages[page["id"]] = page
        return web.json_response(self._page_json(page))

    async def _get_page(self, request: web.Request) -> web.Response:
        page = self.pages.get(request.match_info["id"])
        if page is None:
            return _wiki_error(404, "NOT_FOUND", "Page not found")
        return web.json_response(self._page_json(page))

    async def _update_page(self, request: web.Request) -> web.Response:
        page = self.pages.get(request.match_info["id"])
        if page is None:
            return _wiki_error(404, "NOT_FOUND", "Page not found")
        body = request[BODY] or {}
        if not isinstance(body, dict) or str(body.get("id")) != page["id"] or body.get("status") not in (
                "current", "draft") or not isinstance(body.get("title"), str) or not body["title"].strip():
            return _wiki_error(400, "INVALID_REQUEST_PARAMETER", "id, status and title are required")
        number = (body.get("version") or {}).get("number") if isinstance(body.get("version"), dict) else None
        if not isinstance(number, int):
            return _wiki_error(400, "INVALID_REQUEST_PARAMETER", "version.number is required")
        if number != page["version"] + 1:
            return _wiki_error(409, "CONFLICT", f"Version must be incremented on update. Current version is: "
                               f"{page['version']}")
        problem = self._check_body(body.get("body"))
        if problem:
            return _wiki_error(400, "INVALID_REQUEST_PARAMETER", problem)
        page.update(title=body["title"], status=body["status"], body=body["body"]["value"], version=number,
                    message=str((body["version"]).get("message") or ""), at=_now())
        return web.json_response(self._page_json(page))


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _jira_error(status: int, messages: list[str], errors: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"errorMessages": messages, "errors": errors or {}}, status=status)


def _wiki_error(status: int, code: str, title: str) -> web.Response:
    return web.json_response({"errors": [{"status": status, "code": code, "title": title, "detail": None}]},
                             status=status)
