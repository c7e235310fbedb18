"""Paging: PagerDuty and Opsgenie, both ways.

    plan.py       what the incident's changes ask of the pager (page, acknowledge, resolve, re-trigger,
                  escalate at the ack breach), as jobs; called by the incidents and clocks services
    service.py    what the pager tells the bot (its webhooks): acknowledged, resolved, reassigned,
                  escalated; who is on call (the role filled from the pager)
    pagerduty.py  opsgenie.py  http.py   the vendors' clients
    effects.py    the job kinds that call them; blocks.py what the card and /incident oncall say
"""
