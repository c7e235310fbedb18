"""Pure Block Kit builders: plain data in, dicts out. Tested by comparing dicts and through
slack_sdk's model classes, which check Slack's limits."""
