"""Regulatory reporting's job kinds: a report's timer coming due, its reminder or missed-deadline
message, and the draft uploaded to the incident channel (Markdown and JSON, files upload v2)."""

from __future__ import annotations

from bot.jobs.context import GaveUp, JobContext, channel_of
from bot.regulatory import blocks as views
from bot.regulatory import drafts
from bot.regulatory import service as regulatory
from models import RegulatoryReport


async def regulatory_timer(ctx: JobContext) -> None:
    assert ctx.job.incident_id is not None
    async with ctx.finish() as session:
        await regulatory.fire(session=session, clock=ctx.clock, policy=ctx.policy, incident_id=ctx.job.incident_id,
                              payload=ctx.job.payload)


async def regulatory_message(ctx: JobContext) -> None:
    """A reminder before a deadline, or word that one passed, worded as the report is now."""
    inc = await ctx.incident()
    p = ctx.job.payload
    async with ctx.sessionmaker() as session:
        row = await session.get(RegulatoryReport, int(p.get("report") or 0))
    if row is None:
        raise GaveUp(f"report {p.get('report')} no longer exists")
    if row.state != "pending":
        return  # submitted (or stopped) since the timer fired
    text, blocks = views.reminder(inc, ctx.policy, row, p)
    await ctx.post(p.get("to") or channel_of(inc), text, blocks, join=True)


async def regulatory_draft(ctx: JobContext) -> None:
    inc = await ctx.incident()
    p = ctx.job.payload
    async with ctx.sessionmaker() as session:
        body, data, stem = await drafts.draft(session, ctx.policy, inc.id, p["regime"], p["report"])  # type: ignore[arg-type]
        row = await regulatory.find_report(session, incident_id=inc.id, regime=p["regime"],  # type: ignore[arg-type]
                                           report=p["report"])
    label = views.report_label(ctx.policy, row)
    await ctx.client.files_upload_v2(
        channel=channel_of(inc), initial_comment=views.drafted_comment(inc, label, p.get("actor")),
        file_uploads=[{"content": body, "filename": f"{stem}.md", "title": f"{inc.key} {label} (draft)"},
                      {"content": data, "filename": f"{stem}.json", "title": f"{inc.key} {label} (draft, JSON)"}])
