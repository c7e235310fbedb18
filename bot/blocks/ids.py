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
# Customer messages: on the card and on the resolved-message reminder; the value carries
# "<incident id>" or "<incident id>:<public status>".
DRAFT_MESSAGE = "incident_draft_message"
# Payment impact and regulatory reporting (bot/impact, bot/regulatory): the card's Impact button and
# Classify select (its options' values are regime keys); Mark submitted and Draft carry a report's id.
IMPACT = "incident_impact"
CLASSIFY = "incident_classify"
MARK_SUBMITTED = "regulatory_mark_submitted"
DRAFT_REPORT = "regulatory_draft"
SKIP_RESOLVED = "incident_skip_resolved_message"

# The post-incident review card; its block_id carries the incident id: "incident_pir:<id>".
PIR_BLOCK = "incident_pir"
PIR_FILL = "pir_fill"
PIR_ADD_ACTION = "pir_add_action"
PIR_COMPLETE = "pir_complete"
PIR_EXPORT = "pir_export"
ACTION_DONE = "action_item_done"  # the value carries the action item's id

# The playbook checklist; its block_id carries the incident id: "incident_playbook:<id>".
PLAYBOOK_BLOCK = "incident_playbook"
PLAYBOOK_TICK = "playbook_tick"

# Modals (callback ids); private_metadata carries JSON context.
DECLARE_VIEW = "incident_declare"
ROLES_VIEW = "incident_roles"
UPDATE_VIEW = "incident_update"
PUBLISH_VIEW = "incident_customer_message"
PIR_VIEW = "incident_pir_form"
RESOLVE_VIEW = "incident_resolve_checks"
ACTION_VIEW = "incident_action_item"
IMPACT_VIEW = "incident_impact_form"
CLASSIFY_VIEW = "regulatory_classify"
SUBMITTED_VIEW = "regulatory_submitted"


def controls_block_id(incident_id: int) -> str:
    return f"{CONTROLS_BLOCK}:{incident_id}"


def pir_block_id(incident_id: int) -> str:
    return f"{PIR_BLOCK}:{incident_id}"


def playbook_block_id(incident_id: int) -> str:
    return f"{PLAYBOOK_BLOCK}:{incident_id}"


def incident_from_block_id(block_id: str) -> int | None:
    prefix, _, rest = block_id.partition(":")
    return int(rest) if prefix in (CONTROLS_BLOCK, PIR_BLOCK, PLAYBOOK_BLOCK) and rest.isdigit() else None

# Alert triage messages; the block_id carries the alert group id: "alert_triage:<id>", and so
# does each button's value.
TRIAGE_BLOCK = "alert_triage"
ALERT_DECLARE = "alert_declare"
ALERT_ACK = "alert_ack"
ALERT_ATTACH = "alert_attach"
ALERT_DISMISS = "alert_dismiss"
ALERT_LINK = "alert_link"
ATTACH_VIEW = "alert_attach"
# The message shortcut "Declare incident from message".
DECLARE_FROM_MESSAGE = "declare_from_message"


def triage_block_id(group_id: int) -> str:
    return f"{TRIAGE_BLOCK}:{group_id}"
