"""Guessing the incident type matches whole words, scores every type, and prefers what the payment surface
and an alert's labels say (a substring match, first hit wins, sent refund trouble to the API playbook)."""

from __future__ import annotations

import pytest

from bot.policy import default_policy

POLICY = default_policy()


@pytest.mark.parametrize(("title", "surface", "hints", "expected"), [
    ("Refunds slow for some merchants", None, (), "refunds_delayed"),
    ("Merchants report errors", "refunds", (), "refunds_delayed"),
    ("Errors for some merchants", None, ("refunds-api",), "refunds_delayed"),
    ("Apple Pay failing at checkout", None, (), "payment_method_failing"),
    ("Prefunding report late", None, (), "other"),  # "refund" is not a word of it
    ("3-D Secure challenges failing", None, (), "fraud_system_failing"),
])
def test_the_type_is_guessed_from_whole_words(title: str, surface: str | None, hints: tuple[str, ...],
                                             expected: str) -> None:
    assert POLICY.playbooks.guess(title, surface, hints) == expected


def test_the_customer_template_follows_the_same_guess() -> None:
    assert POLICY.comms.template_for("Refunds slow for some merchants", None) == "refunds_delayed"
