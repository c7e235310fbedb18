"""Incidents: declaring, severity, status, roles and updates; the summary card, the channel and its name."""
