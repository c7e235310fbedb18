"""The resolution gate: resolving goes through the resolution checks (permanent fix, test transactions,
monitoring, settlements); any left unticked needs a reason, and both go on the timeline with the
resolution."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, utc
from bot.core.errors import InvalidInput
from bot.core.records import Change, get, require_open
from bot.incidents import service as incidents
from bot.policy import Policy
from bot.timeline.facts import record

MAX_REASON = 1000


async def resolve_checked(*, session: AsyncSession, clock: Clock, policy: Policy, incident_id: int, actor: str,
                          checked: list[int], reason: str | None, via: str) -> Change:
    """Resolve through the resolution checks; any unchecked one needs a reason."""
    checks = policy.resolution.checks
    done = sorted({i for i in checked if 0 <= i < len(checks)})
    missing = [label for i, label in enumerate(checks) if i not in done]
    why = (reason or "").strip()
    if len(why) > MAX_REASON:
        raise InvalidInput(f"Keep the reason to {MAX_REASON} characters.", field="reason")
    if missing and not why:
        raise InvalidInput(f"Say why you resolve with {len(missing)} check{'s' if len(missing) > 1 else ''} "
                           "not done.", field="reason")
    inc = await get(session, incident_id, for_update=True)
    require_open(inc)
    if inc.status == "resolved":
        return Change(inc, False)
    now = utc(clock.now())
    record(session, inc, now, actor, "resolution_checks", via, done=[checks[i] for i in done], not_done=missing,
           reason=why or None)
    return await incidents.resolve(session=session, clock=clock, policy=policy, incident_id=incident_id,
                                   actor=actor, via=via)
