"""The records' settings: [jira], [confluence] and [[webhooks]] in the policy file, API_TOKENS."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, parse_api_tokens
from bot.policy import PolicyError, default_policy, load_policy


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return load_policy(path)


def test_off_by_default() -> None:
    p = default_policy()
    assert not p.jira.enabled and not p.confluence.enabled and p.webhooks == ()


def test_a_policy_file_turns_them_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASH_SECRET", "s" * 20)
    p = _load(tmp_path, """
[jira]
enabled = true
project = "PAY"
[confluence]
enabled = true
space_id = "98306"
parent_id = 123
[[webhooks]]
url = "https://hooks.example.com/a"
secret = "env:DASH_SECRET"
events = ["incident.declared"]
[[webhooks]]
name = "sec"
url = "https://hooks.example.com/b"
secret = "a-long-enough-secret-here"
private_safe = true
""")
    assert p.jira.project == "PAY" and p.confluence.parent_id == "123"  # type: ignore[attr-defined]
    hooks = p.webhooks  # type: ignore[attr-defined]
    assert [(h.name, h.secret, h.private_safe) for h in hooks] == [("webhook-1", "s" * 20, False),
                                                                   ("sec", "a-long-enough-secret-here", True)]
    assert len(hooks[1].events) == 9


@pytest.mark.parametrize(("text", "words"), [
    ("[jira]\nenabled = true\n", "jira: enabled = true needs project"),
    ("[jira]\nproject = \"pay x\"\n", "jira.project"),
    ("[confluence]\nenabled = true\n", "needs space_id"),
    ("[[webhooks]]\nurl = \"ftp://x\"\nsecret = \"0123456789abcdef\"\n", "webhooks.url"),
    ("[[webhooks]]\nurl = \"https://x\"\nsecret = \"short\"\n", "at least 16"),
    ("[[webhooks]]\nurl = \"https://x\"\nsecret = \"0123456789abcdef\"\nevents = [\"incident.exploded\"]\n",
     "not an event"),
    ("[[webhooks]]\nurl = \"https://x\"\nsecret = \"env:NOT_SET_ANYWHERE\"\n", "NOT_SET_ANYWHERE is not set"),
    ("[webhooks]\nurl = \"https://x\"\n", "array of tables"),
])
def test_bad_sections_name_the_key(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(PolicyError, match=words.replace("[", r"\[")):
        _load(tmp_path, text)


def test_api_tokens() -> None:
    tokens = parse_api_tokens("grafana:0123456789abcdef, audit:fedcba9876543210:private")
    assert [(t.name, t.private) for t in tokens] == [("grafana", False), ("audit", True)]
    for bad in ("grafana", "grafana:short", "a:0123456789abcdef:admin", "a:0123456789abcdef,a:fedcba9876543210"):
        with pytest.raises(ConfigError, match="API_TOKENS"):
            parse_api_tokens(bad)
    s = Settings.from_env({"JIRA_URL": "https://acme.atlassian.net/", "ATLASSIAN_EMAIL": "bot@acme.test",
                           "ATLASSIAN_API_TOKEN": "t"})
    assert s.jira_url == "https://acme.atlassian.net" and s.atlassian_auth == ("bot@acme.test", "t")
    with pytest.raises(ConfigError, match="CONFLUENCE_URL"):
        Settings.from_env({"CONFLUENCE_URL": "acme.atlassian.net"})


def test_a_policy_with_jira_on_needs_the_atlassian_settings(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("[jira]\nenabled = true\nproject = \"PAY\"\n")
    with pytest.raises(ConfigError, match=r"turns \[jira\] on but JIRA_URL, ATLASSIAN_API_TOKEN are not set"):
        Settings.from_env({"INCIDENT_POLICY": str(path), "ATLASSIAN_EMAIL": "bot@acme.test"})
    s = Settings.from_env({"INCIDENT_POLICY": str(path), "ATLASSIAN_EMAIL": "bot@acme.test",
                           "ATLASSIAN_API_TOKEN": "t", "JIRA_URL": "https://acme.atlassian.net"})
    assert s.policy.jira.enabled
