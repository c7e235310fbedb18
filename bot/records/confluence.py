"""A small client for Confluence Cloud's REST API v2: create a page, read its version, update it.

    POST {CONFLUENCE_URL}/wiki/api/v2/pages        {"spaceId", "status", "title", "parentId", "body"}
    GET  {CONFLUENCE_URL}/wiki/api/v2/pages/{id}   -> {"version": {"number": n}, ...}
    PUT  {CONFLUENCE_URL}/wiki/api/v2/pages/{id}   {"id", "status", "title", "body", "version": {"number": n + 1}}

The body is storage format (bot/records/storage.py). An update names the next version number; when
someone edited the page meanwhile Confluence answers 409, and `update_page` reads the current version
and tries once more. Errors as bot/records/jira.py raises them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.records.jira import AtlassianRefused, request


@dataclass(frozen=True)
class Page:
    id: str
    version: int
    url: str


class ConfluenceClient:
    def __init__(self, base_url: str, auth: tuple[str, str]) -> None:
        site = base_url.rstrip("/").removesuffix("/wiki")
        self.api = f"{site}/wiki/api/v2"
        self.wiki = f"{site}/wiki"
        self.auth = auth

    def _page(self, answer: Any) -> Page:
        if not isinstance(answer, dict) or not answer.get("id"):
            raise AtlassianRefused("Confluence answered without a page id", 200)
        links = answer.get("_links") or {}
        url = f"{links.get('base') or self.wiki}{links.get('webui') or '/pages/' + str(answer['id'])}"
        return Page(str(answer["id"]), int((answer.get("version") or {}).get("number") or 1), url)

    async def create_page(self, *, space_id: str, parent_id: str | None, title: str, storage: str) -> Page:
        body: dict[str, Any] = {"spaceId": space_id, "status": "current", "title": title,
                                "body": {"representation": "storage", "value": storage}}
        if parent_id:
            body["parentId"] = parent_id
        return self._page(await request("POST", f"{self.api}/pages", self.auth, json=body,
                                        what="Confluence create page"))

    async def current_version(self, page_id: str) -> int:
        return self._page(await request("GET", f"{self.api}/pages/{page_id}", self.auth,
                                        what=f"Confluence read page {page_id}")).version

    async def update_page(self, page_id: str, *, title: str, storage: str, known_version: int,
                          message: str) -> Page:
        version = known_version
        for attempt in range(2):
            body = {"id": page_id, "status": "current", "title": title,
                    "body": {"representation": "storage", "value": storage},
                    "version": {"number": version + 1, "message": message}}
            try:
                return self._page(await request("PUT", f"{self.api}/pages/{page_id}", self.auth, json=body,
                                                what=f"Confluence update page {page_id}"))
            except AtlassianRefused as exc:
                if exc.status != 409 or attempt:
                    raise
                version = await self.current_version(page_id)  # edited meanwhile: build on the current one
        raise AssertionError("unreachable")
