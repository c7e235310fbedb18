"""The incident's payment impact: structured fields, each change a timeline fact, pre-filled from alerts."""
