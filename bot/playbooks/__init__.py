"""Playbooks: the immediate-action checklist of an incident type, and the resolution checks."""
