"""Communications: structured updates, stakeholder routes, customer messages and the status page (statuspage/)."""
