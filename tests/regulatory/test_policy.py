"""`[regulatory]` in the policy: the built-in regimes and their figures, an operator enabling DORA,
changing a figure and adding a regime of their own, and bad files naming the key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.policy import PolicyError, default_policy, load_policy


def test_the_built_in_regimes_carry_the_regulations_figures() -> None:
    reg = default_policy().regulatory
    dora, gdpr = reg.regime("dora"), reg.regime("gdpr")
    assert dora is not None and not dora.enabled and gdpr is not None and gdpr.enabled
    initial, intermediate, final = dora.reports
    assert (initial.within.delta, initial.start, initial.at_most.delta) == (timedelta(hours=4), "classification",
                                                                            timedelta(hours=24))
    assert (intermediate.within.delta, intermediate.start) == (timedelta(hours=72), "initial")
    assert (final.within.months, final.start) == (1, "intermediate")
    assert gdpr.reports[0].within.delta == timedelta(hours=72) and gdpr.reports[0].start == "awareness"
    thresholds = {i.key: i.min for i in dora.inputs() if i.kind == "number"}
    assert thresholds["clients"] == 100000 and thresholds["costs_eur"] == 100000
    assert thresholds["duration_hours"] == 24 and thresholds["downtime_hours"] == 2 and thresholds["member_states"] == 2
    assert reg.remind_before == (timedelta(hours=1), timedelta(minutes=15))


def test_the_dora_rule() -> None:
    dora = default_policy().regulatory.regime("dora")
    assert dora is not None
    assert dora.evaluate({"critical_services": True, "malicious_access": True})[0] is True
    assert dora.evaluate({"critical_services": True, "clients": 100000, "member_states": 2})[0] is True
    assert dora.evaluate({"critical_services": True, "clients": 99999, "member_states": 2})[0] is False
    assert dora.evaluate({"clients": 10**6, "member_states": 9, "costs_eur": 10**7})[0] is False  # no critical service


def test_a_month_is_a_calendar_month() -> None:
    final = default_policy().regulatory.regime("dora").reports[2]  # type: ignore[union-attr]
    assert final.within.after(datetime(2026, 1, 31, 9, tzinfo=UTC)) == datetime(2026, 2, 28, 9, tzinfo=UTC)
    assert final.within.after(datetime(2026, 12, 15, tzinfo=UTC)) == datetime(2027, 1, 15, tzinfo=UTC)


def test_an_operator_enables_dora_changes_a_figure_and_adds_a_regime(tmp_path: Path) -> None:
    f = tmp_path / "policy.toml"
    f.write_text('''
[regulatory]
compliance_group = "S0COMP"
remind_before = ["2h"]
[regulatory.labels]
psp = "acquirers"

[[regulatory.regimes]]
key = "dora"
enabled = true
reports = [
  { key = "initial", name = "initial notification", within = "2h", from = "classification", at_most = "24h" },
  { key = "intermediate", name = "intermediate report", within = "72h", from = "initial" },
  { key = "final", name = "final report", within = "1mo", from = "intermediate" },
]

[[regulatory.regimes]]
key = "psd2"
name = "PSD2"
title = "PSD2 major operational or security incident"
enabled = true
authority = "the national competent authority"
rule = { required = ["payments"] }
criteria = [{ key = "payments", name = "Payment services", inputs = [
  { key = "payments", label = "Payment services affected", kind = "bool" }] }]
reports = [{ key = "initial", name = "initial report", within = "4h", from = "classification" }]
''')
    reg = load_policy(f).regulatory
    assert [r.key for r in reg.enabled] == ["dora", "gdpr", "card_schemes", "psd2"]
    assert reg.regime("dora").reports[0].within.delta == timedelta(hours=2)  # type: ignore[union-attr]
    assert reg.regime("dora").criteria == default_policy().regulatory.regime("dora").criteria  # type: ignore[union-attr]
    assert reg.compliance_group == "S0COMP" and reg.remind_before == (timedelta(hours=2),)
    assert reg.labels["psp"] == "acquirers" and reg.labels["region"] == "regions"


@pytest.mark.parametrize(("content", "message"), [
    ('[[regulatory.regimes]]\nkey = "dora"\nrule = { required = ["nope"] }\n',
     "rule names 'nope', which is not one of its criteria"),
    ('[[regulatory.regimes]]\nkey = "dora"\nreports = [{ key = "x", name = "x", within = "4h", from = "y" }]\n',
     "report 'x' starts from 'y'"),
    ('[[regulatory.regimes]]\nkey = "dora"\nreports = [{ key = "x", name = "x", within = "soon", '
     'from = "awareness" }]\n', "is not a duration"),
    ('[regulatory.labels]\nregion = "colour"\n', "'colour' is not an impact field"),
    ('[regulatory]\nremind_before = "1h"\n', "write reminders as a list"),
])
def test_a_bad_regulatory_section_names_the_key(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(content)
    with pytest.raises(PolicyError) as exc:
        load_policy(f)
    assert message in str(exc.value) and "regulatory" in str(exc.value)


def test_an_incident_type_implies_impact_fields(tmp_path: Path) -> None:
    assert default_policy().regulatory.types["card_data_compromise"] == {"data": ["confidentiality"]}
    f = tmp_path / "policy.toml"
    f.write_text('[regulatory.types]\nrefunds_delayed = { methods = ["SEPA"], currency = "eur" }\n')
    assert load_policy(f).regulatory.types["refunds_delayed"] == {"methods": ["SEPA"], "currency": "EUR"}
    f.write_text('[regulatory.types]\nrefunds_delayed = { currency = "XYZ" }\n')
    with pytest.raises(PolicyError, match="refunds_delayed.currency: `XYZ` is not an ISO 4217 currency code"):
        load_policy(f)
