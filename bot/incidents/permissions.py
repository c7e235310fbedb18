"""Who may assign which role, as the policy's [permissions] section says: the one rule the card's
roles form, `/incident role` and the "I'll take …" buttons all reach, because assign_role asks it.

- The Incident Commander, and members of the incident-admins user group, may assign anything.
- A guarded role (the IC and the Communications Manager, by default) is assigned and reassigned only
  by them. An incident without an IC gets one from whoever declared it (or, for one an alert rule
  declared, from the first person who takes the role).
- Anyone may take an empty role that is not guarded for themselves, and give up their own.
- Giving a role to someone else, or reassigning a filled one, is the IC's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import Forbidden
from bot.policy import Policy
from models import ALERT_ACTOR, ROLES, GroupMember, Incident


async def is_admin(session: AsyncSession, policy: Policy, user: str) -> bool:
    group = policy.permissions.admins
    if not group:
        return False
    found = await session.execute(select(GroupMember.user_id).where(GroupMember.group_id == group,
                                                                   GroupMember.user_id == user))
    return found.first() is not None


async def check_assign(session: AsyncSession, policy: Policy, inc: Incident, *, actor: str, role: str,
                       user: str | None) -> None:
    """Forbidden (naming who may) unless `actor` may make `user` the holder of `role` (None: nobody)."""
    if actor == inc.commander_id or await is_admin(session, policy, actor):
        return
    holder = inc.role_holder(role)
    title = ROLES[role][1]
    admins = policy.permissions.admins
    or_admin = " or an incident admin ({admins})" if admins else ""
    groups = {"admins": admins} if admins else {}
    if role in policy.permissions.guarded_roles:
        if role == "ic" and holder is None:
            if actor == inc.declared_by or (inc.declared_by == ALERT_ACTOR and user == actor):
                return
            raise Forbidden(f"{inc.key} has no Incident Commander yet: {{declarer}} (who declared it){or_admin} "
                            "can name one.", field=role, people={"declarer": inc.declared_by}, groups=groups)
        raise Forbidden(f"Only the Incident Commander ({{ic}}){or_admin} can {'reassign' if holder else 'assign'} "
                        f"the {title} of {inc.key}.", field=role, people={"ic": inc.commander_id}, groups=groups)
    if (holder is None and user == actor) or (holder == actor and user is None):
        return  # taking an empty role for oneself, or giving up one's own
    doing = f"reassign the {title}" if holder else f"make someone else the {title}"
    raise Forbidden(f"Only the Incident Commander ({{ic}}){or_admin} can {doing} of {inc.key}; you can take an "
                    "empty role yourself.", field=role, people={"ic": inc.commander_id}, groups=groups)


async def check_regulatory(session: AsyncSession, policy: Policy, inc: Incident, *, actor: str, doing: str) -> None:
    """Classifying an incident for a regulator and recording a submission: the IC, an incident admin, or a
    member of the compliance owner's user group ([regulatory] compliance_group, synced like the admins)."""
    if actor == inc.commander_id or await is_admin(session, policy, actor):
        return
    group = policy.regulatory.compliance_group
    if group:
        found = await session.execute(select(GroupMember.user_id).where(GroupMember.group_id == group,
                                                                       GroupMember.user_id == actor))
        if found.first() is not None:
            return
    admins = policy.permissions.admins
    groups = {k: v for k, v in (("admins", admins), ("compliance", group)) if v}
    who = "".join([" or an incident admin ({admins})" if admins else "",
                   " or the compliance owners ({compliance})" if group else ""])
    raise Forbidden(f"Only the Incident Commander ({{ic}}){who} can {doing} for {inc.key}.",
                    people={"ic": inc.commander_id}, groups=groups)
