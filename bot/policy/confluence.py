"""`[confluence]`: "Export document" also publishes the review as a Confluence Cloud page.

    [confluence]
    enabled = true
    space_id = "98306"      # the space's id (Confluence REST v2 names spaces by id)
    parent_id = "123456"    # optional: the page the reviews go under
    private_incidents = false  # true: private incidents' reviews are published too

Off by default. The credentials (CONFLUENCE_URL, ATLASSIAN_EMAIL, ATLASSIAN_API_TOKEN) come from the environment.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

_ID = re.compile(r"^\d{1,20}$")


class ConfluencePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    space_id: str = ""
    parent_id: str | None = None
    private_incidents: bool = False

    @field_validator("space_id", "parent_id", mode="before")
    @classmethod
    def _id(cls, v: object) -> object:
        if isinstance(v, int):
            v = str(v)
        if isinstance(v, str) and v and not _ID.match(v):
            raise ValueError(f"{v!r} is not a Confluence id (digits; the space's id is in its overview's URL "
                             "or GET /wiki/api/v2/spaces)")
        return v

    @model_validator(mode="after")
    def _complete(self) -> ConfluencePolicy:
        if self.enabled and not self.space_id:
            raise ValueError("enabled = true needs space_id (the Confluence space's id)")
        return self
