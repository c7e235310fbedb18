"""Alert intake: one parser per source (sources/), grouping and triage, and the triage message."""
