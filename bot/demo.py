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

from aiohttp import web

from bot.clock import FakeClock
from bot.config import Settings
from bot.policy import Escalation, OnCall, default_policy
from bot.emulator import SlackEmulator
from bot.emulator.driver import SlackDriver
from bot.emulator.render import mrkdwn_to_text, render_channel, render_ephemeral, render_message, render_view
from bot.emulator.state import Message
from bot.runtime import Runtime
from bot.services import incidents
from models.migrate import upgrade


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
    leadership = ws.add_channel("payments-leadership", members=[priya], bot_member=True)
    oncall_group, leads_group = "S0PAYONCALL", "S0PAYLEADS"
    emu.usergroups.update({oncall_group: [sam], leads_group: [priya]})

    clock = FakeClock()
    secret = secrets.token_hex(16)
    url = f"sqlite+aiosqlite:///{db_path}"
    await upgrade(url)
    policy = default_policy().model_copy(update={
        "escalation": Escalation(channel=leadership, leadership_group=leads_group),
        "oncall": OnCall(group=oncall_group)})
    settings = Settings(slack_bot_token=emu.bot_token, slack_signing_secret=secret, slack_api_url=emu.api_url,
                        database_url=url, announce_channel=announce, policy=policy)
    rt = Runtime.create(settings, clock=clock)
    runner = web.AppRunner(rt.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    slack = SlackDriver.for_emulator(emu, app_url=f"http://127.0.0.1:{port}/slack/events", signing_secret=secret)
    screen = Screen(emu, clock)

    async def settle(minutes: float = 0) -> None:
        await rt.inflight.idle()
        await rt.worker.drain()
        screen.show()
        clock.advance(timedelta(minutes=minutes))

    def last(channel: str, needle: str) -> Message:
        return next(m for m in reversed(ws.messages_in(channel)) if needle in m.text)

    async def card():  # the summary card as it is now
        async with rt.sessionmaker() as s:
            inc = await incidents.get_by_number(s, 1)
        msg = ws.message(inc.channel_id, inc.card_ts)
        assert msg is not None
        return inc, msg

    try:
        print("The incident bot, against a local Slack emulator. Everything below is what people would see.")
        screen.step("A merchant escalation reaches support")
        ws.messages[support].append(Message(support, ws.new_ts(), maya, (
            "Three merchants report card payments failing since ~08:55 with 'issuer unavailable', "
            "mostly EU cards. Checkout conversion for EU is down 60%.")))
        await settle(minutes=2)

        screen.step("Maya declares a SEV-1: /incident declare sev1 Card payments failing in EU")
        await slack.command(maya, support, "declare sev1 Card payments failing in EU")
        await settle(minutes=3)

        screen.step("Maya opens “Assign roles” on the card and fills it in")
        inc, msg = await card()
        await slack.click(maya, msg, "incident_assign_roles")
        modal = ws.open_modal(maya)
        assert modal is not None
        print()
        print(render_view(modal, ws.users, ws.channels))
        await slack.submit(maya, {"ic": priya, "tl": raj, "comms": lena, "oncall": sam, "support": maya})
        await settle(minutes=2)

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

        screen.step("Sam, in the incident channel: /incident status mitigated")
        await slack.command(sam, inc.channel_id, "status mitigated")
        await settle(minutes=5)

        screen.step("Priya lowers the severity to SEV-3 from the card, then checks the clocks")
        _, msg = await card()
        await slack.select(priya, msg, "incident_severity", "3")
        await settle()
        await slack.command(priya, inc.channel_id, "clocks")
        await settle(minutes=20)

        screen.step("Priya resolves the incident after validating test transactions")
        _, msg = await card()
        await slack.click(priya, msg, "incident_resolve")
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
            print(f"  {e.at:%H:%M}  {e.kind:<22} {who:<6} {mrkdwn_to_text(e.text, ws.users, ws.channels)}")
        total = inc.resolved_at - inc.created_at
        print(f"\n{inc.key} resolved in {int(total.total_seconds() // 60)} minutes; "
              f"{len(ws.calls)} Web API calls reached the emulator.")
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
