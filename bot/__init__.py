"""The incident bot: a Slack-first incident manager for payment services."""
