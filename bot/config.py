"""Settings from the environment (and `.env`, loaded by the CLI only). `.env.example` documents each."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.policy import Policy, default_policy, load_policy
from models.alerts import ALERT_SOURCES

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./incidents.db"
DEFAULT_STATUSPAGE_API_URL = "https://api.statuspage.io/v1/"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    announce_channel: str | None = None
    policy_path: str | None = None
    log_level: str = "INFO"
    # Atlassian Statuspage connector: on when both the page id and the API key are set
    statuspage_page_id: str | None = None
    statuspage_api_key: str | None = None
    statuspage_api_url: str = DEFAULT_STATUSPAGE_API_URL
    public_url: str | None = None  # the bot's public base URL: the Home tab's chart image is served from it
    # Alert webhooks, per source (alertmanager, datadog, grafana, generic): a bearer token and/or
    # an HMAC-SHA256 secret; a source with neither refuses every request.
    alert_tokens: Mapping[str, str] = field(default_factory=dict)
    alert_secrets: Mapping[str, str] = field(default_factory=dict)
    alert_require_timestamp: frozenset[str] = frozenset()  # sources whose signatures must carry a timestamp
    # Jira and Confluence Cloud (bot/records/): base URLs, one Atlassian account's email and API token, and
    # the secret Jira signs its webhooks with; the read API's bearer tokens (API_TOKENS)
    jira_url: str | None = None
    confluence_url: str | None = None
    atlassian_email: str | None = None
    atlassian_api_token: str | None = None
    jira_webhook_secret: str | None = None
    api_tokens: tuple[ApiToken, ...] = ()
    policy: Policy = field(default_factory=default_policy)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        port_raw = get("PORT") or "3000"
        try:
            port = int(port_raw)
            if not 0 < port < 65536:
                raise ValueError
        except ValueError:
            raise ConfigError(f"PORT={port_raw!r} is not a TCP port number") from None
        api_url = get("SLACK_API_URL")
        if api_url and not api_url.endswith("/"):
            api_url += "/"  # slack_sdk joins method names onto the base URL
        policy_path = get("INCIDENT_POLICY")
        if bool(get("STATUSPAGE_PAGE_ID")) != bool(get("STATUSPAGE_API_KEY")):
            given, missing = ("STATUSPAGE_PAGE_ID", "STATUSPAGE_API_KEY") if get("STATUSPAGE_PAGE_ID") \
                else ("STATUSPAGE_API_KEY", "STATUSPAGE_PAGE_ID")
            raise ConfigError(f"{given} is set but {missing} is not: the Statuspage connector needs both")
        policy = load_policy(policy_path)
        _atlassian_complete(get, policy)
        return cls(
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=api_url,
            database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            port=port,
            announce_channel=get("INCIDENT_ANNOUNCE_CHANNEL"),
            policy_path=policy_path,
            log_level=(get("LOG_LEVEL") or "INFO").upper(),
            statuspage_page_id=get("STATUSPAGE_PAGE_ID"),
            statuspage_api_key=get("STATUSPAGE_API_KEY"),
            statuspage_api_url=_statuspage_url(get("STATUSPAGE_API_URL")),
            public_url=_public_url(get("PUBLIC_URL")),
            alert_tokens=_per_alert_source(get, "TOKEN"),
            alert_secrets=_per_alert_source(get, "HMAC_SECRET"),
            alert_require_timestamp=_require_timestamp(get),
            jira_url=_base_url("JIRA_URL", get("JIRA_URL")),
            confluence_url=_base_url("CONFLUENCE_URL", get("CONFLUENCE_URL")),
            atlassian_email=get("ATLASSIAN_EMAIL"),
            atlassian_api_token=get("ATLASSIAN_API_TOKEN"),
            jira_webhook_secret=get("JIRA_WEBHOOK_SECRET"),
            api_tokens=parse_api_tokens(get("API_TOKENS")),
            policy=policy,
        )

    @property
    def atlassian_auth(self) -> tuple[str, str] | None:
        """Basic auth for Jira and Confluence Cloud: the account's email and its API token."""
        if self.atlassian_email and self.atlassian_api_token:
            return self.atlassian_email, self.atlassian_api_token
        return None

    @property
    def statuspage_enabled(self) -> bool:
        return bool(self.statuspage_page_id and self.statuspage_api_key)


@dataclass(frozen=True)
class ApiToken:
    """One bearer token of the read API: `name:token` sees public incidents, `name:token:private` all."""

    name: str
    token: str
    private: bool = False


def parse_api_tokens(raw: str | None) -> tuple[ApiToken, ...]:
    """API_TOKENS: comma-separated `name:token[:private]`, e.g. `grafana:s3cr3t…,audit:t0k3n…:private`."""
    out: list[ApiToken] = []
    for n, entry in enumerate((raw or "").split(",")):
        entry = entry.strip()
        if not entry:
            continue
        parts = entry.split(":")
        if len(parts) not in (2, 3) or not parts[0] or (len(parts) == 3 and parts[2] != "private"):
            raise ConfigError(f"API_TOKENS entry {n + 1} is not name:token or name:token:private")
        if len(parts[1]) < 16:
            raise ConfigError(f"API_TOKENS: the token of {parts[0]!r} is shorter than 16 characters")
        out.append(ApiToken(parts[0], parts[1], len(parts) == 3))
    if len({t.name for t in out}) != len(out):
        raise ConfigError("API_TOKENS: two tokens have the same name")
    return tuple(out)


def _atlassian_complete(get: Callable[[str], str | None], policy: Policy) -> None:
    """A policy that turns Jira or Confluence on needs the site and the account to reach it."""
    for section, url in (("jira", "JIRA_URL"), ("confluence", "CONFLUENCE_URL")):
        if getattr(policy, section).enabled:
            missing = [n for n in (url, "ATLASSIAN_EMAIL", "ATLASSIAN_API_TOKEN") if not get(n)]
            if missing:
                raise ConfigError(f"the policy turns [{section}] on but {', '.join(missing)} "
                                  f"{'is' if len(missing) == 1 else 'are'} not set")


def _base_url(name: str, raw: str | None) -> str | None:
    if raw is None:
        return None
    if not raw.startswith(("http://", "https://")) or len(raw) > 2000:
        raise ConfigError(f"{name}={raw[:100]!r} is not an http(s) URL (e.g. https://acme.atlassian.net)")
    return raw.rstrip("/")


def _statuspage_url(raw: str | None) -> str:
    url = raw or DEFAULT_STATUSPAGE_API_URL
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"STATUSPAGE_API_URL={url!r} is not an http(s) URL")
    return url if url.endswith("/") else url + "/"


def _public_url(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not raw.startswith(("http://", "https://")) or len(raw) > 2000:
        raise ConfigError(f"PUBLIC_URL={raw[:100]!r} is not an http(s) URL (e.g. https://incident-bot.example.com)")
    return raw.rstrip("/")


def _require_timestamp(get: Callable[[str], str | None]) -> frozenset[str]:
    """ALERTS_REQUIRE_TIMESTAMP for every source, or ALERTS_<SOURCE>_REQUIRE_TIMESTAMP for one."""
    def on(name: str) -> bool:
        raw = (get(name) or "").lower()
        if raw and raw not in ("1", "true", "yes", "0", "false", "no"):
            raise ConfigError(f"{name}={raw!r} is not true or false")
        return raw in ("1", "true", "yes")
    every = on("ALERTS_REQUIRE_TIMESTAMP")
    return frozenset(s for s in ALERT_SOURCES if every or on(f"ALERTS_{s.upper()}_REQUIRE_TIMESTAMP"))


def _per_alert_source(get: Callable[[str], str | None], suffix: str) -> dict[str, str]:
    """ALERTS_<SOURCE>_<suffix> for every alert source, e.g. ALERTS_ALERTMANAGER_TOKEN."""
    found = {}
    for source in ALERT_SOURCES:
        value = get(f"ALERTS_{source.upper()}_{suffix}")
        if value:
            found[source] = value
    return found
