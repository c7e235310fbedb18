"""The incident policy: one module per section, the defaults in default.toml, loading and validation.

    severities  [severity.SEV-n]   escalation [escalation]   oncall [oncall]   pir [pir]
    comms       [comms]            alerts     [alerts]       playbooks [playbooks.<type>]
    resolution  [resolution]       drills     [drills.<scenario>]   paging [paging]
    jira        [jira]             confluence [confluence]   webhooks [[webhooks]]
    regulatory  [regulatory] and [[regulatory.regimes]]: impact labels, regimes, report clocks
    loader      the Policy model, load_policy, default_policy, PolicyError
"""

from bot.policy.loader import Policy, PolicyError, default_policy, load_policy

__all__ = ["Policy", "PolicyError", "default_policy", "load_policy"]
