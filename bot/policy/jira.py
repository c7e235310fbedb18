"""`[jira]`: action items (and optionally incidents) as Jira Cloud issues.

    [jira]
    enabled = true
    project = "PAY"                 # the project key action items go to
    issue_type = "Task"             # the issue type of action items
    labels = ["incident-follow-up"] # labels on every issue the bot creates (the incident's key is added)
    done_transition = "Done"        # the transition "Mark done" in Slack applies (by name, or its id)
    incident_issues = false         # also log each incident as an issue, updated as it changes
    incident_issue_type = "Task"
    private_incidents = false       # true: private incidents' items (and issues) go to Jira too

Off by default. The credentials (JIRA_URL, ATLASSIAN_EMAIL, ATLASSIAN_API_TOKEN) come from the environment.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

_PROJECT = re.compile(r"^[A-Z][A-Z0-9_]{1,9}$")
_LABEL = re.compile(r"^\S{1,255}$")


class JiraPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    project: str = ""
    issue_type: str = "Task"
    labels: tuple[str, ...] = ("incident-follow-up",)
    done_transition: str = "Done"
    incident_issues: bool = False
    incident_issue_type: str = "Task"
    private_incidents: bool = False

    @field_validator("project")
    @classmethod
    def _project(cls, v: str) -> str:
        if v and not _PROJECT.match(v):
            raise ValueError(f"{v!r} is not a Jira project key (2-10 capitals and digits, e.g. PAY)")
        return v

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for label in v:
            if not _LABEL.match(label):
                raise ValueError(f"{label!r}: a Jira label has no spaces and at most 255 characters")
        return v

    @model_validator(mode="after")
    def _complete(self) -> JiraPolicy:
        if self.enabled and not self.project:
            raise ValueError("enabled = true needs project (the Jira project key, e.g. PAY)")
        return self
