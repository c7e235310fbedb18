"""The review's questions, in the order the form asks them, with their limits and choices."""

from __future__ import annotations

from dataclasses import dataclass

DOCS = {"runbooks": "Runbooks", "alerts": "Alerts", "dashboards": "Dashboards"}
SETTLEMENTS = {"yes": "Yes", "no": "No", "n/a": "Not applicable"}


@dataclass(frozen=True)
class Question:
    key: str  # the answer's key and the modal block's id
    label: str
    kind: str  # text | long | datetime | choice | multi
    max_length: int = 0
    choices: dict[str, str] | None = None
    hint: str | None = None


# The form, in order. Lengths are Slack's plain_text_input limits (3000 at most).
QUESTIONS: tuple[Question, ...] = (
    Question("summary", "Summary", "long", 3000, hint="What happened, in a few sentences."),
    Question("failed_transactions", "Failed or delayed transactions", "text", 150,
             hint="e.g. 12,400 card authorisations failed; 3,100 payouts delayed"),
    Question("amount_affected", "Amount affected", "text", 150, hint="e.g. EUR 1.2M in failed authorisations"),
    Question("merchants_affected", "Merchants affected", "text", 500),
    Question("regions", "Regions", "text", 150),
    Question("impact_start", "Impact began", "datetime", hint="Defaults to the incident's start."),
    Question("impact_end", "Impact ended", "datetime", hint="Defaults to when it was mitigated or resolved."),
    Question("root_cause", "Root cause", "long", 3000),
    Question("trigger", "Trigger", "long", 3000, hint="The change or event that set it off."),
    Question("detection", "How was it detected, and how long did that take?", "long", 3000),
    Question("went_well", "What went well", "long", 3000),
    Question("went_wrong", "What went wrong", "long", 3000),
    Question("lucky", "Where we got lucky", "long", 3000),
    Question("settlements", "Settlements and reconciliation corrected?", "choice", choices=SETTLEMENTS),
    Question("settlements_note", "Settlements note", "long", 1000),
    Question("docs", "Documentation to update", "multi", choices=DOCS),
    Question("docs_note", "Which documents, and what changes", "long", 1000),
    Question("no_action_reason", "No action needed because", "long", 1000,
             hint="Only when the review ends without action items."),
)
QUESTION = {q.key: q for q in QUESTIONS}
BLAMELESS = ("Blameless: we ask how the system and our process allowed this, never who is at fault. "
             "Write what people knew and did at the time.")
