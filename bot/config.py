"""Settings from the environment (and `.env`, loaded by the CLI only). `.env.example` documents each."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.policy import Policy, default_policy, load_policy

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./incidents.db"


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
            policy=load_policy(policy_path),
        )
