"""Local fakes of Atlassian Cloud for the demo and the tests: Jira Cloud REST v3 and Confluence Cloud
REST v2 on one site (as https://<site>.atlassian.net serves both), written from Atlassian's public API
references: basic auth with an email and an API token, the request shapes and their validation (ADF
descriptions, storage-format bodies, page versions), the error bodies, 429 with Retry-After on demand,
and Jira's signed webhooks (X-Hub-Signature: sha256=<hex> of the body) sent to the bot."""

from bot.emulator.atlassian.site import FakeAtlassian

__all__ = ["FakeAtlassian"]
