"""Settings from the environment (and `.env`, loaded by the CLI only). `.env.example` documents each."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.ops.dburl import shape_problem
from bot.policy import Policy, PolicyError, default_policy, load_policy
from bot.policy.ids import channel_id
from models.alerts import ALERT_SOURCES

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./incidents.db"
DEFAULT_STATUSPAGE_API_URL = "https://api.statuspage.io/v1/"
# Paging (bot/paging): PagerDuty's public endpoints and Opsgenie's US one (the EU one is https://api.eu.opsgenie.com)
DEFAULT_PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com"
DEFAULT_PAGERDUTY_API_URL = "https://api.pagerduty.com"
DEFAULT_OPSGENIE_API_URL = "https://api.opsgenie.com"


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
    # Alert webhooks, per source (alertmanager, datadog, grafana, newrelic, splunk, generic): a bearer token and/or
    # an HMAC-SHA256 secret; a source with neither refuses every request.
    alert_tokens: Mapping[str, str] = field(default_factory=dict)
    alert_secrets: Mapping[str, str] = field(default_factory=dict)
    alert_require_timestamp: frozenset[str] = frozenset()  # sources whose signatures must carry a timestamp
    metrics_port: int | None = None  # Prometheus metrics on their own port (bot.ops.telemetry); None: off
    log_format: str = "text"  # or "json": one object per line (bot.ops.logs)
    # Paging: PagerDuty (Events API v2, REST API, webhooks v3) and Opsgenie (Alert API, outgoing webhooks)
    pagerduty_events_url: str = DEFAULT_PAGERDUTY_EVENTS_URL
    pagerduty_api_url: str = DEFAULT_PAGERDUTY_API_URL
    pagerduty_api_token: str | None = None
    pagerduty_from_email: str | None = None
    pagerduty_webhook_secret: str | None = None
    opsgenie_api_url: str = DEFAULT_OPSGENIE_API_URL
    opsgenie_api_key: str | None = None
    opsgenie_webhook_token: str | None = None
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

        port = _port("PORT", get("PORT") or "3000")
        database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
        if problem := shape_problem(database_url):
            raise ConfigError(problem)
        api_url = get("SLACK_API_URL")
        if api_url and not api_url.endswith("/"):
            api_url += "/"  # slack_sdk joins method names onto the base URL
        policy_path = get("INCIDENT_POLICY")
        if bool(get("STATUSPAGE_PAGE_ID")) != bool(get("STATUSPAGE_API_KEY")):
            given, missing = ("STATUSPAGE_PAGE_ID", "STATUSPAGE_API_KEY") if get("STATUSPAGE_PAGE_ID") \
                else ("STATUSPAGE_API_KEY", "STATUSPAGE_PAGE_ID")
            raise ConfigError(f"{given} is set but {missing} is not: the Statuspage connector needs both")
        policy = _paging_ready(load_policy(policy_path), get)
        _atlassian_complete(get, policy)
        return cls(
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=api_url,
            database_url=database_url,
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
            metrics_port=_port("METRICS_PORT", get("METRICS_PORT")) if get("METRICS_PORT") else None,
            log_format=_log_format(get("LOG_FORMAT")),
            pagerduty_events_url=_base_url("PAGERDUTY_EVENTS_URL", get, DEFAULT_PAGERDUTY_EVENTS_URL),
            pagerduty_api_url=_base_url("PAGERDUTY_API_URL", get, DEFAULT_PAGERDUTY_API_URL),
            pagerduty_api_token=get("PAGERDUTY_API_TOKEN"),
            pagerduty_from_email=get("PAGERDUTY_FROM_EMAIL"),
            pagerduty_webhook_secret=get("PAGERDUTY_WEBHOOK_SECRET"),
            opsgenie_api_url=_base_url("OPSGENIE_API_URL", get, DEFAULT_OPSGENIE_API_URL),
            opsgenie_api_key=get("OPSGENIE_API_KEY"),
            opsgenie_webhook_token=get("OPSGENIE_WEBHOOK_TOKEN"),
            jira_url=_site_url("JIRA_URL", get("JIRA_URL")),
            confluence_url=_site_url("CONFLUENCE_URL", get("CONFLUENCE_URL")),
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


def problems(env: Mapping[str, str] | None = None) -> list[str]:
    """Every problem with the environment and the policy, one line each naming its key, without starting
    (`incident-bot config check`). from_env stops at the first; this goes on past each."""
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        return env.get(name, "").strip() or None

    found: list[str] = []
    token, app_token = get("SLACK_BOT_TOKEN"), get("SLACK_APP_TOKEN")
    if not token:
        found.append("SLACK_BOT_TOKEN must be set: the bot token (xoxb-…) from OAuth & Permissions")
    elif not token.startswith("xoxb-"):
        found.append(f"SLACK_BOT_TOKEN starts with {token[:5]!r}: a bot token starts with xoxb-")
    if app_token and not app_token.startswith("xapp-"):
        found.append(f"SLACK_APP_TOKEN starts with {app_token[:5]!r}: an app-level token starts with xapp-")
    if not app_token and not get("SLACK_SIGNING_SECRET"):
        found.append("SLACK_SIGNING_SECRET must be set for HTTP mode (or SLACK_APP_TOKEN for Socket Mode)")
    checks: list[Callable[[], object]] = [
        lambda: _port("PORT", get("PORT") or "3000"),
        lambda: get("METRICS_PORT") and _port("METRICS_PORT", get("METRICS_PORT")),
        lambda: _log_format(get("LOG_FORMAT")),
        lambda: _statuspage_url(get("STATUSPAGE_API_URL")),
        lambda: _public_url(get("PUBLIC_URL")),
        lambda: _require_timestamp(get),
        lambda: [_base_url(name, get, default) for name, default in (
            ("PAGERDUTY_EVENTS_URL", DEFAULT_PAGERDUTY_EVENTS_URL), ("PAGERDUTY_API_URL", DEFAULT_PAGERDUTY_API_URL),
            ("OPSGENIE_API_URL", DEFAULT_OPSGENIE_API_URL))],
        lambda: [_site_url(name, get(name)) for name in ("JIRA_URL", "CONFLUENCE_URL")],
        lambda: parse_api_tokens(get("API_TOKENS")),
    ]
    if problem := shape_problem(get("DATABASE_URL") or DEFAULT_DATABASE_URL):
        found.append(problem)
    for check in checks:
        try:
            check()
        except ConfigError as exc:
            found.append(str(exc))
    if get("PORT") and get("METRICS_PORT") and get("PORT") == get("METRICS_PORT"):
        found.append(f"METRICS_PORT={get('METRICS_PORT')} is PORT too: give the metrics a port of their own")
    level = (get("LOG_LEVEL") or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        found.append(f"LOG_LEVEL={level!r} is not one of DEBUG, INFO, WARNING, ERROR")
    try:
        channel_id(get("INCIDENT_ANNOUNCE_CHANNEL"))
    except ValueError as exc:
        found.append(f"INCIDENT_ANNOUNCE_CHANNEL: {exc}")
    if bool(get("STATUSPAGE_PAGE_ID")) != bool(get("STATUSPAGE_API_KEY")):
        found.append("STATUSPAGE_PAGE_ID and STATUSPAGE_API_KEY: the Statuspage connector needs both or neither")
    try:
        policy = load_policy(get("INCIDENT_POLICY"))
    except PolicyError as exc:
        found += exc.problems
    else:
        for check_policy in (_paging_ready, lambda p, g: _atlassian_complete(g, p)):
            try:
                check_policy(policy, get)
            except ConfigError as exc:
                found.append(str(exc))
    return found


def _port(name: str, raw: str | None) -> int:
    try:
        port = int(raw or "")
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a TCP port number") from None
    return port


def _log_format(raw: str | None) -> str:
    value = (raw or "text").lower()
    if value not in ("text", "json"):
        raise ConfigError(f"LOG_FORMAT={raw!r} is not text or json")
    return value
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


def _site_url(name: str, raw: str | None) -> str | None:
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


def _paging_ready(policy: Policy, get: Callable[[str], str | None]) -> Policy:
    """A policy that pages through Opsgenie needs its key: refused at start, not at the first page."""
    routes = [name for name, r in policy.paging.routes.items() if r.pager == "opsgenie"]
    if routes and not get("OPSGENIE_API_KEY"):
        raise ConfigError(f"[paging.routes.{routes[0]}] pages through Opsgenie, but OPSGENIE_API_KEY is not set")
    return policy


def _base_url(name: str, get: Callable[[str], str | None], default: str) -> str:
    """A vendor's base URL (for a proxy or a local fake), without a trailing slash."""
    url = get(name) or default
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{name}={url[:100]!r} is not an http(s) URL")
    return url.rstrip("/")


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
