"""`incident-bot demo`: a whole payment incident, played against the built-in Slack emulator.

The real bot (the same Bolt app, services, worker and database code as `serve`) runs on a local
port against the emulator, with a fake clock the script moves forward. A driver sends what Slack
would send (signed slash commands, clicks, modal submissions), and after each step the script
prints what people would see in each channel. No token, network or workspace needed.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.comms.statuspage.state import describe
from bot.config import Settings
from bot.core.clock import FakeClock
from bot.emulator import SlackEmulator
from bot.emulator.driver import SlackDriver
from bot.emulator.render import (
    mrkdwn_to_text,
    render_channel,
    render_ephemeral,
    render_message,
    render_view,
)
from bot.emulator.state import Message
from bot.incidents import service as incidents
from bot.policy import default_policy
from bot.policy.alerts import AlertPolicy
from bot.policy.escalation import Escalation
from bot.policy.oncall import OnCall
from bot.runtime import Runtime
from bot.timeline.blocks import fact_text
from models.migrate import upgrade

# What Alertmanager sends when the EU card-authorisation alert fires (webhook version 4).
DEMO_ALERT = {
    "version": "4", "status": "firing", "receiver": "incident-bot", "groupKey": '{}:{alertname="EUCardAuthErrors"}',
    "groupLabels": {"alertname": "EUCardAuthErrors"}, "commonLabels": {"alertname": "EUCardAuthErrors"},
    "commonAnnotations": {}, "externalURL": "https://alertmanager.example.com", "truncatedAlerts": 0,
    "alerts": [{
        "status": "firing",
        "labels": {"alertname": "EUCardAuthErrors", "severity": "critical", "service": "card-gateway",
                   "region": "eu-west-1"},
        "annotations": {"summary": "Card payments failing in EU",
                        "description": "Card authorisation errors at 58% for EU issuers (threshold 5%) for 3 minutes."},
        "startsAt": "2026-01-15T08:58:00Z", "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "https://prometheus.example.com/graph?g0.expr=card_auth_error_ratio",
        "fingerprint": "9c1e54b2a7d03f61",
    }],
}


class Screen:
    """Prints only what is new in each channel since the last look, as a person would notice it."""

    def __init__(self, emu: SlackEmulator, clock: FakeClock) -> None:
        self.ws, self.clock = emu.workspace, clock
        self.seen: dict[str, int] = {}
        self.ephemerals_seen = 0

    def step(self, title: str) -> None:
        print(f"\n\n=== {self.clock.now():%H:%M} UTC · {title} " + "=" * max(0, 70 - len(title)))

    def show(self) -> None:
        for cid in self.ws.channels:
            count = len(self.ws.messages_in(cid))
            if count > self.seen.get(cid, 0):
                print()
                print(render_channel(self.ws, cid, since=self.seen.get(cid, 0)))
                self.seen[cid] = count
        fresh = self.ws.ephemerals[self.ephemerals_seen:]
        for eph in fresh:
            print()
            print(render_ephemeral(eph, self.ws.users, self.ws.channels))
        self.ephemerals_seen = len(self.ws.ephemerals)


async def play(db_path: Path) -> int:
    emu = SlackEmulator()
    await emu.start()
    ws = emu.workspace
    maya = ws.add_user("maya", "Maya Okafor (Support)")
    sam = ws.add_user("sam", "Sam Lindqvist (On-call SRE)")
    priya = ws.add_user("priya", "Priya Raman (Engineering Manager)")
    raj = ws.add_user("raj", "Raj Patel (Payments Gateway)")
    lena = ws.add_user("lena", "Lena Vogel (Communications)")
    everyone = [maya, sam, priya, raj, lena]
    support = ws.add_channel("payments-support", members=everyone, bot_member=True)
    announce = ws.add_channel("incidents", members=everyone, bot_member=True)
    alerts_channel = ws.add_channel("payments-alerts", members=everyone, bot_member=True)
    leadership = ws.add_channel("payments-leadership", members=[priya], bot_member=True)
    oncall_group, leads_group = "S0PAYONCALL", "S0PAYLEADS"
    emu.usergroups.update({oncall_group: [sam], leads_group: [priya]})

    clock = FakeClock()
    secret = secrets.token_hex(16)
    url = f"sqlite+aiosqlite:///{db_path}"
    await upgrade(url)
    policy = default_policy().model_copy(update={
        "escalation": Escalation(channel=leadership, leadership_group=leads_group),
        "oncall": OnCall(group=oncall_group), "alerts": AlertPolicy(channel=alerts_channel)})
    alert_token = secrets.token_hex(16)
    settings = Settings(slack_bot_token=emu.bot_token, slack_signing_secret=secret, slack_api_url=emu.api_url,
                        database_url=url, announce_channel=announce, policy=policy,
                        alert_tokens={"alertmanager": alert_token})
    rt = Runtime.create(settings, clock=clock)
    runner = web.AppRunner(rt.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    slack = SlackDriver.for_emulator(emu, app_url=f"http://127.0.0.1:{port}/slack/events", signing_secret=secret)
    screen = Screen(emu, clock)
    status_url = f"http://127.0.0.1:{port}/status"

    async def show_status_page() -> None:  # what customers see, fetched as a browser would
        async with aiohttp.ClientSession() as http, http.get(f"{status_url}.json") as resp:
            print(f"\n  [status page {status_url}] {describe(await resp.json())}")

    async def settle(minutes: float = 0) -> None:
        await rt.inflight.idle()
        await rt.worker.drain()
        screen.show()
        await show_status_page()
        clock.advance(timedelta(minutes=minutes))

    def last(channel: str, needle: str) -> Message:
        return next(m for m in reversed(ws.messages_in(channel)) if needle in m.text)

    async def card(number: int = 1):  # the summary card as it is now
        async with rt.sessionmaker() as s:
            inc = await incidents.get_by_number(s, number)
        msg = ws.message(inc.channel_id, inc.card_ts)
        assert msg is not None
        return inc, msg

    try:
        print("The incident bot, against a local Slack emulator. Everything below is what people would see.")
        print(f"Customers follow the public status page at {status_url} (and {status_url}.json).")
        screen.step("Prometheus Alertmanager posts a critical alert to the bot's webhook")
        async with aiohttp.ClientSession() as http, http.post(
                f"http://127.0.0.1:{port}/alerts/alertmanager", json=DEMO_ALERT,
                headers={"Authorization": f"Bearer {alert_token}"}) as resp:
            print(f"\n  [POST /alerts/alertmanager] HTTP {resp.status} {await resp.text()}")
        await settle(minutes=1)

        screen.step("The same alert fires again: the triage message counts it instead of posting twice")
        async with aiohttp.ClientSession() as http, http.post(
                f"http://127.0.0.1:{port}/alerts/alertmanager", json=DEMO_ALERT,
                headers={"Authorization": f"Bearer {alert_token}"}) as resp:
            print(f"\n  [POST /alerts/alertmanager] HTTP {resp.status}")
        await settle()
        print()
        print(render_message(last(alerts_channel, "Card payments failing in EU"), ws.users, ws.channels))
        clock.advance(timedelta(minutes=1))
        ws.messages[support].append(Message(support, ws.new_ts(), maya, (
            "Three merchants report card payments failing since ~08:55 with 'issuer unavailable', "
            "mostly EU cards. Checkout conversion for EU is down 60%.")))
        screen.show()

        screen.step("Maya clicks “Declare incident” on the triage message: the form comes pre-filled")
        await slack.click(maya, last(alerts_channel, "Card payments failing in EU"), "alert_declare")
        form = ws.open_modal(maya)
        assert form is not None
        print()
        print(render_view(form, ws.users, ws.channels))
        await slack.submit(maya)
        await settle()
        print("\n  The triage message now links the incident:")
        print(render_message(last(alerts_channel, "Card payments failing in EU"), ws.users, ws.channels))
        clock.advance(timedelta(minutes=3))

        screen.step("Maya opens “Assign roles” on the card and fills it in")
        inc, msg = await card()
        await slack.click(maya, msg, "incident_assign_roles")
        modal = ws.open_modal(maya)
        assert modal is not None
        print()
        print(render_view(modal, ws.users, ws.channels))
        await slack.submit(maya, {"ic": priya, "tl": raj, "comms": lena, "oncall": sam, "support": maya})
        await settle(minutes=2)

        screen.step("Lena drafts the customer message from the card and publishes it")
        await slack.click(lena, msg, "incident_draft_message")
        draft = ws.open_modal(lena)
        assert draft is not None
        print()
        print(render_view(draft, ws.users, ws.channels))
        await slack.submit(lena, {"components": ["card_payments"], "title": "Card payments failing in Europe",
                                  "message": "Since 09:00 UTC many card payments with European cards fail. Other "
                                             "payments work. We are investigating with the highest priority."})
        await settle()

        screen.step("Five minutes in and nobody has acknowledged: the bot pings the on-call group")
        await settle(minutes=1)

        screen.step("Sam acknowledges from the reminder")
        await slack.click(sam, last(inc.channel_id, "still unacknowledged"), "incident_ack")
        await settle(minutes=9)

        screen.step("Fifteen minutes without an update: the bot reminds the IC and comms")
        await settle(minutes=2)

        screen.step("Raj posts an update from the reminder: the cause is found")
        await slack.click(raj, last(inc.channel_id, "an update on"), "incident_post_update")
        await slack.submit(raj, {
            "status": "identified",
            "text": "The 08:52 gateway deploy (v2.42) broke 3-D Secure routing to the EU acquirer; "
                    "its 5xx rate is 64%. US and UK traffic is unaffected.",
            "next_steps": "Roll the gateway back to v2.41; fail EU traffic over to the backup acquirer meanwhile."})
        await settle(minutes=10)

        screen.step("Sam ticks what is done on the playbook, and pins the acquirer's confirmation")
        await slack.select(sam, last(inc.channel_id, "Playbook for"), "playbook_tick", ["0", "1"])
        confirmation = Message(inc.channel_id, ws.new_ts(), raj,
                               "Acquirer confirms: EU 3-D Secure routing restored on their side at 09:27.")
        ws.messages[inc.channel_id].append(confirmation)
        await slack.event({"type": "reaction_added", "user": sam, "reaction": "pushpin", "item_user": raj,
                           "item": {"type": "message", "channel": inc.channel_id, "ts": confirmation.ts}})
        await settle()
        print()
        print(render_message(last(inc.channel_id, "Playbook for"), ws.users, ws.channels))

        screen.step("Sam, in the incident channel: /incident status mitigated")
        await slack.command(sam, inc.channel_id, "status mitigated")
        await settle(minutes=5)

        screen.step("Priya lowers the severity to SEV-3 from the card, then checks the clocks")
        _, msg = await card()
        await slack.select(priya, msg, "incident_severity", "3")
        await settle()
        await slack.command(priya, inc.channel_id, "clocks")
        await settle(minutes=20)

        screen.step("Priya resolves the incident: the resolution checks, one left for tomorrow")
        _, msg = await card()
        await slack.click(priya, msg, "incident_resolve")
        print()
        print(render_view(ws.open_modal(priya), ws.users, ws.channels))
        await slack.submit(priya, {"checks": ["0", "1", "3"],
                                   "reason": "Monitoring for the EU acquirer's 5xx rate is an action item."})
        await settle(minutes=5)

        screen.step("Lena publishes the resolved message for customers")
        _, msg = await card()
        await slack.click(lena, msg, "incident_draft_message")
        await slack.submit(lena, {"status": "resolved",
                                  "message": "Card payments with European cards work normally again. "
                                             "We are sorry for the disruption."})
        await settle()

        inc, msg = await card()
        screen.step("The pinned card, and the timeline the bot kept")
        print()
        print(render_channel(ws, inc.channel_id, since=len(ws.messages_in(inc.channel_id))))
        print(render_message(msg, ws.users, ws.channels))
        async with rt.sessionmaker() as s:
            events = await incidents.timeline(s, inc.id)
        print()
        for e in events:
            who = ws.users[e.actor].name if e.actor in ws.users else e.actor
            print(f"  {e.at:%H:%M}  {e.kind:<22} {who:<6} {mrkdwn_to_text(fact_text(e), ws.users, ws.channels)}")
        total = inc.resolved_at - inc.created_at
        print(f"\n{inc.key} resolved in {int(total.total_seconds() // 60)} minutes.")

        screen.step("The next morning Raj and Priya write the post-incident review from its card")
        await settle(minutes=18 * 60)
        review_card = last(inc.channel_id, "Post-incident review")
        await slack.click(raj, review_card, "pir_fill")
        await slack.submit(raj, {
            "summary": "EU card payments failed for 42 minutes after a gateway deploy broke 3-D Secure routing.",
            "failed_transactions": "about 18,000 EU card authorisations", "amount_affected": "EUR 1.4M",
            "merchants_affected": "212 merchants, three of them escalated", "regions": "EU",
            "root_cause": "Gateway v2.42 changed the 3-D Secure routing table; the EU acquirer's entry was lost.",
            "trigger": "The 08:52 deploy of gateway v2.42.",
            "detection": "Merchants told support at 09:00, eight minutes after impact began; no alert fired.",
            "went_well": "Failover to the backup acquirer; updates went out on time."})
        await slack.click(priya, review_card, "pir_fill")
        await slack.submit(priya, {
            "went_wrong": "No alert on the EU acquirer's 5xx rate; the deploy had no EU canary.",
            "lucky": "It was before the EU lunch peak.", "settlements": "n/a",
            "settlements_note": "Failed authorisations were never captured.",
            "docs": ["runbooks", "alerts"], "docs_note": "Gateway rollback runbook; EU acquirer 5xx alert."})
        await settle(minutes=5)

        screen.step("Priya adds action items; their owners get a DM")
        await slack.command(priya, inc.channel_id,
                            f"action <@{raj}> 2026-01-29 prevent: Canary gateway deploys on EU 3-D Secure traffic")
        await slack.command(priya, inc.channel_id,
                            f"action <@{sam}> 2026-01-22 detect: Alert when the EU acquirer's 5xx rate passes 5%")
        await settle(minutes=5)

        screen.step("Priya marks the review complete: the incident is closed")
        await slack.click(priya, last(inc.channel_id, "Post-incident review"), "pir_complete")
        await settle(minutes=1)
        inc, msg = await card()
        print()
        print(render_message(msg, ws.users, ws.channels))
        print(f"\nChannel topic: {ws.channel(inc.channel_id).topic}")

        screen.step("/incident pir export uploads the review document to the channel; here it is")
        await slack.command(priya, inc.channel_id, "pir export")
        await settle()
        document = [f for f in ws.files.values() if inc.channel_id in f.channels][-1]
        print()
        print(document.content.decode())
        print(f"{inc.key} is {inc.status}.")

        screen.step("Game day: Priya runs /incident drill gateway, a SEV-1 rehearsal")
        await slack.command(priya, support, "drill gateway")
        await settle(minutes=1)
        drill, drill_card = await card(2)
        await slack.click(sam, drill_card, "incident_ack")
        await settle(minutes=3)
        await slack.select(sam, last(drill.channel_id, "Playbook for"), "playbook_tick", ["0", "1"])
        await slack.command(raj, drill.channel_id, "update Failed over to the backup acquirer; auth rate recovering")
        await settle(minutes=4)
        screen.step("Priya ends the drill by resolving it: the drill report")
        await slack.command(priya, drill.channel_id, "resolve")
        await slack.submit(priya, {"checks": ["0", "1", "2", "3"]})
        await settle()
        print(f"\n{len(ws.calls)} Web API calls reached the emulator.")
        return 0
    finally:
        await slack.close()
        await runner.cleanup()
        await rt.close()
        await emu.stop()


async def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="incident-bot-demo-") as tmp:
        return await play(Path(tmp) / "demo.db")
