"""The domain: every state change, as keyword-only async functions. Nothing here imports Slack."""
