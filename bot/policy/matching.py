"""Guessing what an incident is from its words: which playbook (and so which customer template) a title,
a payment surface and an alert's labels point at.

Words are matched whole (`refund` matches "Refunds", never "prefund"), phrases as consecutive words.
Every candidate is scored: each matched word counts once in the title, twice in the payment surface and
three times in an alert's labels (what the monitoring already knows beats what a person typed); a tie
goes to the candidate matched earliest in the title, which is usually the subject ("Refunds slow" is
about refunds), then earliest in the surface and the labels, then to the policy's order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_WORD = re.compile(r"[a-z0-9]+")
WEIGHTS = (1, 2, 3)  # title, surface, hints


def stem(word: str) -> str:
    """Plurals and simple verb forms folded: refunds -> refund, delays/delayed -> delay, failing -> fail."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + keep
    return word


def words(text: str | None) -> list[str]:
    return [stem(w) for w in _WORD.findall((text or "").lower())]


def _find(phrase: list[str], seen: list[str]) -> int | None:
    """Where `phrase` starts in `seen`, as consecutive words; None when it is not there."""
    n = len(phrase)
    for i in range(len(seen) - n + 1):
        if seen[i:i + n] == phrase:
            return i
    return None


def best_match(candidates: Mapping[str, Iterable[str]], title: str | None, surface: str | None = None,
               hints: Iterable[str] = ()) -> str | None:
    """The candidate (key -> its match phrases) the texts point at most; None when none matches."""
    texts = [words(title), words(surface), [w for h in hints for w in words(h)]]
    best: tuple[int, ...] | None = None
    chosen = None
    for order, (key, phrases) in enumerate(candidates.items()):
        score, first = 0, [10**6] * len(texts)  # where it was first matched, in the title, surface, hints
        for phrase in {tuple(words(p)) for p in phrases if p.strip()}:
            for n, (weight, seen) in enumerate(zip(WEIGHTS, texts, strict=True)):
                at = _find(list(phrase), seen)
                if at is not None:
                    score += weight * len(phrase)
                    first[n] = min(first[n], at)
        rank = (score, *(-f for f in first), -order)
        if score and (best is None or rank > best):
            best, chosen = rank, key
    return chosen
