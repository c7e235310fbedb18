"""The incident's clocks: acknowledgement SLAs, update reminders, leadership escalation and the role watcher."""
