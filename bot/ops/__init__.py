"""Running the bot as a service: database URL hints, start-up checks, metrics, logs, backups."""
