"""The severity policy: defaults from DESIGN.md, operator overrides in TOML, clear errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings
from bot.core.durations import format_duration, parse_duration
from bot.policy import PolicyError, default_policy, load_policy


def test_defaults_follow_the_design_table() -> None:
    p = default_policy()
    assert [s.name for s in p.severities] == ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
    one, two, three, four = p.severities
    assert (one.ack_sla, one.ack_breach, one.update_cadence, one.escalate) == (
        timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=15), "declaration")
    assert (two.ack_sla, two.ack_breach, two.update_cadence, two.escalate) == (
        timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=30), "breach")
    assert (three.ack_sla, three.update_cadence) == (timedelta(hours=4), timedelta(hours=4))
    assert (four.ack_sla, four.update_cadence, four.escalate) == (None, None, "never")
    assert one.impact.startswith("Major outage")


@pytest.mark.parametrize(("raw", "seconds"), [("90s", 90), ("15m", 900), ("4h", 14400), ("2d", 172800),
                                              (" 5 m ", 300)])
def test_durations(raw: object, seconds: int) -> None:
    assert parse_duration(raw) == timedelta(seconds=seconds)
    assert parse_duration(format_duration(timedelta(seconds=seconds))) == timedelta(seconds=seconds)


def test_none_is_no_duration() -> None:
    assert parse_duration("none") is None and format_duration(None) == "none"


def test_an_override_changes_only_what_it_names(tmp_path: Path) -> None:
    f = tmp_path / "policy.toml"
    f.write_text('[severity.SEV-2]\nupdate_cadence = "20m"\nimpact = "Some payments failing"\n')
    p = load_policy(f)
    assert p.severity(2).update_cadence == timedelta(minutes=20)
    assert p.severity(2).impact == "Some payments failing"
    assert p.severity(2).ack_sla == timedelta(minutes=15)
    assert p.severity(1) == default_policy().severity(1)


@pytest.mark.parametrize(("content", "message"), [
    ('[severity.SEV-2]\nupdate_cadence = "30x"\n', "severity.SEV-2.update_cadence: '30x' is not a duration"),
    ('[severity.SEV-1]\ncolour = "red"\n', "severity.SEV-1.colour"),
    ('[severity.SEV-1]\nescalate = "sometimes"\n', "severity.SEV-1.escalate"),
    ('[severity.P1]\nlabel = "x"\n', "severity.P1: severities are named SEV-1 .. SEV-9"),
    ('[pagers]\nx = 1\n', "unknown key 'pagers'"),
    ("[severity.SEV-1\n", "not valid TOML"),
])
def test_a_bad_file_names_the_key(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(content)
    with pytest.raises(PolicyError, match=message.replace(".", r"\.").replace("(", r"\(")) as exc:
        load_policy(f)
    assert str(f) in str(exc.value)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no such file"):
        load_policy(tmp_path / "nope.toml")


def test_settings_from_env(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text('[severity.SEV-1]\nack_sla = "3m"\n')
    s = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "http://127.0.0.1:9/api",
                           "PORT": "8080", "INCIDENT_POLICY": str(f), "INCIDENT_ANNOUNCE_CHANNEL": "C1"})
    assert s.slack_api_url == "http://127.0.0.1:9/api/" and s.port == 8080 and s.announce_channel == "C1"
    assert s.policy.severity(1).ack_sla == timedelta(minutes=3)
    assert Settings.from_env({}).database_url == "sqlite+aiosqlite:///./incidents.db"
    with pytest.raises(ConfigError, match="PORT='eighty'"):
        Settings.from_env({"PORT": "eighty"})


def test_escalation_and_oncall_sections(tmp_path: Path) -> None:
    f = tmp_path / "policy.toml"
    f.write_text('[escalation]\nchannel = "C1"\nleadership_group = "S1"\n'
                 '[oncall]\ngroup = "S9"\n[oncall.severity]\nSEV-1 = "S3"\n[oncall.surface]\n"card payments" = "S2"\n')
    p = load_policy(f)
    assert (p.escalation.channel, p.escalation.leadership_group) == ("C1", "S1")
    assert p.oncall.group_for("SEV-1", "EU Card Payments") == "S2"
    assert p.oncall.group_for("SEV-1", "bank transfers") == "S3"
    assert p.oncall.group_for("SEV-2", None) == "S9"
    assert default_policy().severity(1).role_watch == timedelta(minutes=10)
    assert default_policy().severity(3).role_watch is None


@pytest.mark.parametrize(("content", "message"), [
    ('[escalation]\nchanel = "C1"\n', "escalation.chanel"),
    ('[oncall.severity]\nSEV-7 = "S1"\n', "oncall.severity.SEV-7: no such severity"),
    ('[severity.SEV-1]\nrole_watch = "soon"\n', "severity.SEV-1.role_watch"),
])
def test_bad_clock_settings_name_the_key(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(content)
    with pytest.raises(PolicyError, match=message.replace(".", r"\.")):
        load_policy(f)


def test_review_due_times_default_and_override(tmp_path: Path) -> None:
    pir = default_policy().pir
    assert [(k, pir.due_for(k).label) for k in ("SEV-1", "SEV-2", "SEV-3", "SEV-4")] == [
        ("SEV-1", "3 days"), ("SEV-2", "5 business days"), ("SEV-3", "optional"), ("SEV-4", "none")]
    f = tmp_path / "policy.toml"
    f.write_text('[pir]\ndue = { SEV-3 = "10bd" }\noverdue_every = "none"\n')
    pir = load_policy(f).pir
    assert pir.due_for("SEV-3").label == "10 business days" and pir.due_for("SEV-1").label == "3 days"
    assert pir.overdue_every is None and pir.remind_before == timedelta(days=1)


@pytest.mark.parametrize(("content", "message"), [
    ('[pir]\ndue = { SEV-2 = "soon" }\n', "pir.due: 'soon' is not a review due time"),
    ('[pir]\ndue = { SEV-7 = "3d" }\n', "pir.due.SEV-7: no such severity"),
    ('[pir]\nremind_before = "1x"\n', "pir.remind_before: '1x' is not a duration"),
    ('[pir]\nwhen = "3d"\n', "pir.when"),
])
def test_bad_review_settings_name_the_key(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(content)
    with pytest.raises(PolicyError, match=message.replace(".", r"\.")):
        load_policy(f)


def test_playbooks_resolution_and_drills_from_a_file(tmp_path: Path) -> None:
    f = tmp_path / "policy.toml"
    f.write_text('[playbooks.gateway_down]\nactions = ["Page the acquirer"]\n'
                 '[playbooks.crypto]\nname = "Crypto rails down"\nmatch = ["crypto"]\nactions = ["Pause crypto"]\n'
                 '[resolution]\nchecks = ["Fixed"]\n'
                 '[drills.crypto]\nname = "SEV-2: crypto rails"\nseverity = "SEV-2"\ntitle = "Crypto down"\n'
                 'type = "crypto"\nspeed = 10\nevents = [{ after = "1m", kind = "alert", text = "rails down" }]\n')
    policy = load_policy(f)
    assert policy.playbooks.get("gateway_down").actions == ("Page the acquirer",)
    assert policy.playbooks.get("gateway_down").name == "Payment gateway down"  # the rest keeps its defaults
    assert policy.playbooks.guess("Crypto withdrawals failing") == "crypto"
    assert policy.resolution.checks == ("Fixed",)
    drill = policy.drills.scenarios["crypto"]
    assert (drill.speed, drill.events[0].after) == (10, timedelta(minutes=1))
    assert "gateway" in policy.drills.scenarios  # the default scenarios stay


@pytest.mark.parametrize(("content", "message"), [
    ('[playbooks.gateway_down]\nactions = []\n', "playbooks: gateway_down.actions"),
    ('[playbooks.x]\nactions = ["a"]\n', "playbooks: x.name: Field required"),
    ('[drills.x]\nname = "n"\ntitle = "t"\nseverity = "SEV-9"\n', "drills.x.severity: no such severity"),
    ('[drills.x]\nname = "n"\ntitle = "t"\ntype = "nope"\n', "drills.x.type: no playbook 'nope'"),
    ('[drills.x]\nname = "n"\ntitle = "t"\nevents = [{ after = "soon", kind = "alert", text = "t" }]\n',
     "drills: x.events.0.after: 'soon' is not a duration"),
])
def test_bad_playbook_and_drill_settings_name_the_key(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(content)
    with pytest.raises(PolicyError, match=message.replace(".", r"\.")):
        load_policy(f)


@pytest.mark.parametrize(("content", "message"), [
    # a bare number has no unit: refused with an example, never read as seconds
    ('[severity.SEV-2]\nupdate_cadence = 20\n',
     'severity.SEV-2.update_cadence: 20 has no unit: write a string with one, e.g. "20m" for 20 minutes'),
    ('[pir]\nremind_before = 3600\n', 'pir.remind_before: 3600 has no unit'),
    ('[alerts]\nwindow = 60\n', 'alerts.window: 60 has no unit'),
    # the breach comes after the SLA
    ('[severity.SEV-1]\nack_sla = "10m"\nack_breach = "5m"\n',
     "severity.SEV-1: ack_breach (5m) must be later than ack_sla (10m)"),
    ('[severity.SEV-2]\nack_breach = "15m"\n', "severity.SEV-2: ack_breach (15m) must be later than ack_sla (15m)"),
    # ids, not names
    ('[escalation]\nchannel = "#exec"\n',
     "escalation.channel: '#exec' is not a channel id (that is a name): a channel's id (C…) is at the bottom"),
    ('[escalation]\nleadership_group = "@leads"\n',
     "escalation.leadership_group: '@leads' is not a user group id (that is a name): a user group's id (S…) is "
     "in its link"),
    ('[escalation]\noperators_channel = "ops"\n', "escalation.operators_channel: 'ops' is not a channel id"),
    ('[oncall]\ngroup = "@payments-oncall"\n', "oncall.group: '@payments-oncall' is not a user group id"),
    ('[oncall.surface]\n"card payments" = "@cards"\n', "oncall.surface.card payments: '@cards' is not a user group"),
    ('[alerts]\nchannel = "#alerts"\n', "alerts.channel: '#alerts' is not a channel id"),
    ('[comms.routes.exec]\nchannel = "#exec"\nseverities = ["SEV-1"]\n',
     "comms.routes.exec.channel: '#exec' is not a channel id"),
    ('[routes]\ndrills = ["#gameday"]\n', "routes.drills: '#gameday' is not a channel id"),
])
def test_strict_policy_refuses_with_the_key_and_the_fix(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(content)
    with pytest.raises(PolicyError) as caught:
        load_policy(f)
    assert f"{f}: {message}" in str(caught.value)


def test_every_mistake_is_named_at_once(tmp_path: Path) -> None:
    f = tmp_path / "policy.toml"
    f.write_text('[severity.SEV-3]\nupdate_cadence = 4\n[escalation]\nchannel = "#exec"\n[oncall]\ngroup = "@oc"\n')
    with pytest.raises(PolicyError) as caught:
        load_policy(f)
    keys = [line.split(": ")[1] for line in caught.value.problems]
    assert keys == ["severity.SEV-3.update_cadence", "escalation.channel", "oncall.group"]
