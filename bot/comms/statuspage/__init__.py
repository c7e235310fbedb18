"""The public status page and the Atlassian Statuspage connector: both show only what the
Communications Manager published (models.ExternalMessage), never a private incident, an internal
update, a name or a channel."""
