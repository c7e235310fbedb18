"""The public status page as one server-rendered HTML document: no JavaScript, no external assets,
readable on a phone, every published text escaped. It refreshes itself every minute."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.comms.statuspage.state import OVERALL, PageState, PublicIncident
from bot.core.clock import utc
from models import PUBLIC_LABELS, STATE_LABELS

_CSS = """
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1f2328;background:#f6f8fa}main{max-width:760px;margin:0 auto;padding:16px}
h1{font-size:1.5rem;margin:8px 0 16px}h2{font-size:1.15rem;margin:28px 0 8px}
.banner{padding:14px 16px;border-radius:8px;color:#fff;font-weight:600;font-size:1.1rem}
.operational{background:#1a7f37}.degraded_performance{background:#9a6700}.partial_outage{background:#bc4c00}
.major_outage{background:#cf222e}ul{list-style:none;margin:0;padding:0}
.components li{display:flex;justify-content:space-between;gap:12px;padding:10px 12px;background:#fff;
border:1px solid #d0d7de;border-top:none}.components li:first-child{border-top:1px solid #d0d7de;
border-radius:8px 8px 0 0}.components li:last-child{border-radius:0 0 8px 8px}
.state{font-weight:600}.state.operational{color:#1a7f37;background:none}.state.degraded_performance{color:#9a6700;
background:none}.state.partial_outage{color:#bc4c00;background:none}.state.major_outage{color:#cf222e;background:none}
article{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;margin:12px 0}
article h3{margin:0 0 4px;font-size:1.05rem}.meta{color:#57606a;font-size:.9rem}
.update{margin-top:10px}.update p{margin:2px 0;white-space:pre-line;overflow-wrap:anywhere}
footer{color:#57606a;font-size:.85rem;margin:32px 0 8px}
"""


def _time(dt: datetime) -> str:
    dt = utc(dt)
    return f'<time datetime="{dt.isoformat()}">{dt:%d %b %Y %H:%M} UTC</time>'


def _incident(inc: PublicIncident) -> str:
    updates = "".join(
        f'<li class="update"><strong>{escape(PUBLIC_LABELS[u.status])}</strong> '
        f'<span class="meta">{_time(u.published_at)}</span><p>{escape(u.text)}</p></li>'
        for u in inc.updates)
    affected = f" · Affected: {escape(', '.join(inc.components))}" if inc.components else ""
    if inc.scope:
        affected += f" · {escape(inc.scope)}"
    return (f'<article id="incident-{escape(inc.ref)}"><h3>{escape(inc.title)}</h3>'
            f'<div class="meta">{escape(PUBLIC_LABELS[inc.status])}{affected}</div><ul>{updates}</ul></article>')


def render(page: PageState) -> str:
    components = "".join(
        f'<li><span>{escape(c.name)}</span><span class="state {c.state}">{escape(STATE_LABELS[c.state])}</span></li>'
        for c in page.components)
    active = "".join(_incident(i) for i in page.active)
    active_section = f'<section><h2>Current incidents</h2>{active}</section>' if page.active else ""
    history = "".join(_incident(i) for i in page.history) or \
        f"<p>No incidents in the last {page.history_days} days.</p>"
    title = escape(page.title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="60">
<title>{title}</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>{title}</h1>
<div class="banner {page.overall}" role="status">{escape(OVERALL[page.overall])}</div>
{active_section}
<section><h2>Components</h2><ul class="components">{components}</ul></section>
<section><h2>Past incidents (last {page.history_days} days)</h2>{history}</section>
<footer>Updated {_time(page.generated_at)} · also as <a href="status.json">JSON</a></footer>
</main>
</body>
</html>
"""
