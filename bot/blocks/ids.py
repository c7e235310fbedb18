"""The ids that tie Block Kit elements to handlers. Changing one breaks messages already posted."""

# Summary card controls; the block_id carries the incident id: "incident_controls:<id>".
CONTROLS_BLOCK = "incident_controls"
SEVERITY_SELECT = "incident_severity"
STATUS_SELECT = "incident_status"
ASSIGN_ROLES = "incident_assign_roles"
POST_UPDATE = "incident_post_update"
RESOLVE = "incident_resolve"
ACKNOWLEDGE = "incident_ack"
REGULATORY = "incident_regulatory"
# Reminder buttons: action ids are "<prefix>:<choice>" (unique within their block) and the value
# carries "<incident id>:<choice>".
SNOOZE = "incident_snooze"
TAKE_ROLE = "incident_take_role"

# Modals (callback ids); private_metadata carries JSON context.
DECLARE_VIEW = "incident_declare"
ROLES_VIEW = "incident_roles"
UPDATE_VIEW = "incident_update"


def controls_block_id(incident_id: int) -> str:
    return f"{CONTROLS_BLOCK}:{incident_id}"


def incident_from_block_id(block_id: str) -> int | None:
    prefix, _, rest = block_id.partition(":")
    return int(rest) if prefix == CONTROLS_BLOCK and rest.isdigit() else None
