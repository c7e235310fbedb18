"""Grouping: repeats fold into one triage message updated in place, a resolution closes the
group, a re-fire reopens it, and a storm stays within Slack's pace."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import timedelta
from typing import Any

from bot.policy import default_policy
from bot.policy.alerts import AlertPolicy
from models import Job
from tests.alerts.conftest import AlertBot, alertmanager, am_alert, generic


def policy(**alerts: Any) -> Any:
    return default_policy().model_copy(update={"alerts": AlertPolicy(**alerts)})


def fields(msg: Any) -> dict[str, str]:
    out = {}
    for block in msg.blocks:
        for f in block.get("fields", []):
            name, _, value = f["text"].partition("\n")
            out[name.strip("*")] = value
    return out


async def test_repeated_firing_updates_the_one_message(ab: AlertBot) -> None:
    await ab.send("alertmanager", alertmanager(am_alert()))
    await ab.bot.drain()
    [msg] = ab.triage_messages()
    assert fields(msg)["Count"] == "1 alert"
    first_last_seen = fields(msg)["Last seen"]

    ab.bot.clock.advance(timedelta(seconds=70))
    await ab.send("alertmanager", alertmanager(am_alert()))
    await ab.bot.drain()  # the message was last shown over an update interval ago: refreshed now
    [msg] = ab.triage_messages()
    assert fields(msg)["Count"] == "2 alerts"
    assert fields(msg)["Last seen"] != first_last_seen and "09:01" in fields(msg)["Last seen"]
    assert fields(msg)["First seen"].endswith("09:00 UTC>")

    for _ in range(2):
        answer = await ab.send("alertmanager", alertmanager(am_alert()))
        assert answer.status == 200 and answer.json["new_groups"] == 0
    await ab.bot.drain()
    # one refresh is queued, due one update interval after the message was last shown
    [group] = await ab.groups()
    assert group.count == 4 and group.refresh_queued
    pending = [j for j in await ab.bot.jobs() if j.kind == "alert_refresh" and j.state == "pending"]
    assert len(pending) == 1
    assert fields(ab.triage_messages()[0])["Count"] == "2 alerts"

    ab.bot.clock.advance(timedelta(seconds=30))
    await ab.bot.drain()
    [msg] = ab.triage_messages()
    assert fields(msg)["Count"] == "4 alerts"
    assert len(ab.bot.ws.calls_to("chat.postMessage")) == 1
    assert len(ab.bot.ws.calls_to("chat.update")) == 2
    assert len(await ab.alerts()) == 4


async def test_resolved_notification_closes_the_group(ab: AlertBot) -> None:
    await ab.send("alertmanager", alertmanager(am_alert()))
    await ab.bot.drain()
    ab.bot.clock.advance(timedelta(minutes=5))
    resolved = am_alert(status="resolved", ends_at="2026-01-15T09:04:30Z")
    answer = await ab.send("alertmanager", alertmanager(resolved))
    assert answer.status == 200
    await ab.bot.drain()  # a resolution is shown at once

    [group] = await ab.groups()
    assert group.status == "resolved" and group.resolved_at.isoformat() == "2026-01-15T09:04:30+00:00"
    assert group.count == 1  # firings; the resolution is stored beside them
    assert [a.status for a in await ab.alerts()] == ["firing", "resolved"]
    [msg] = ab.triage_messages()
    assert msg.text.startswith("Resolved: Payment gateway")
    assert fields(msg)["Status"].startswith(":white_check_mark: Resolved")


async def test_refire_after_resolution_reopens_the_group_in_the_window(ab: AlertBot) -> None:
    await ab.send("alertmanager", alertmanager(am_alert()))
    await ab.send("alertmanager", alertmanager(am_alert(status="resolved", ends_at="2026-01-15T09:00:00Z")))
    await ab.bot.drain()
    ab.bot.clock.advance(timedelta(minutes=10))
    await ab.send("alertmanager", alertmanager(am_alert(starts_at="2026-01-15T09:09:00Z")))
    await ab.bot.drain()

    [group] = await ab.groups()
    assert (group.status, group.refires, group.count, group.resolved_at) == ("firing", 1, 2, None)
    [msg] = ab.triage_messages()
    assert msg.text.startswith("Firing:") and fields(msg)["Count"] == "2 alerts · fired again 1×"


async def test_refire_long_after_resolution_starts_a_new_group(ab: AlertBot) -> None:
    await ab.send("alertmanager", alertmanager(am_alert()))
    await ab.send("alertmanager", alertmanager(am_alert(status="resolved", ends_at="2026-01-15T09:00:00Z")))
    await ab.bot.drain()
    ab.bot.clock.advance(timedelta(hours=2))
    answer = await ab.send("alertmanager", alertmanager(am_alert(starts_at="2026-01-15T10:59:00Z")))
    assert answer.json["new_groups"] == 1
    await ab.bot.drain()
    old, new = await ab.groups()
    assert (old.status, new.status, new.count) == ("resolved", "firing", 1)
    assert len(ab.triage_messages()) == 2


async def test_a_resolution_without_a_firing_is_stored_and_posts_nothing(ab: AlertBot) -> None:
    answer = await ab.send("generic", generic(status="resolved"))
    assert answer.status == 200 and answer.json["stored"] == 1 and answer.json["groups"] == []
    [alert] = await ab.alerts()
    assert alert.group_id is None
    await ab.bot.drain()
    assert ab.triage_messages() == []


async def test_grouping_off_gives_every_alert_its_own_message(make_alert_bot: Any) -> None:
    ab = await make_alert_bot(policy=policy(grouping=False))
    for _ in range(3):
        await ab.send("generic", generic())
    assert len(await ab.groups()) == 3


async def test_triage_goes_to_the_policys_alerts_channel(make_alert_bot: Any) -> None:
    ab0 = await make_alert_bot()
    channel = ab0.bot.ws.add_channel("alerts-payments", members=[ab0.bot.people.alice], bot_member=True)
    ab = await make_alert_bot(policy=policy(channel=channel))
    await ab.send("generic", generic())
    await ab.bot.drain()
    [msg] = ab.bot.messages(channel)
    assert msg.text.startswith("Firing: Synthetic 3-D Secure")


async def test_a_storm_ends_as_one_message_per_fingerprint_at_slacks_pace(ab: AlertBot) -> None:
    """A scaled-down storm (bench/alert_storm.py runs the full 10,000): 2,000 alerts over 20
    fingerprints, 100 per Alertmanager notification, in random order."""
    rng = random.Random(7)
    fingerprints = [f"fp{i:02d}" for i in range(20)]
    order = [fingerprints[i % 20] for i in range(2000)]
    rng.shuffle(order)
    for start in range(0, 2000, 100):
        stored = 0
        # Alertmanager sends one notification per alert group (here, one alertname per fingerprint)
        for fp in sorted(set(order[start:start + 100])):
            batch = [am_alert(fp, alertname=f"Gateway{fp}") for f in order[start:start + 100] if f == fp]
            answer = await ab.send("alertmanager", alertmanager(*batch))
            assert answer.status == 200
            stored += answer.json["stored"]
        assert stored == 100
        ab.bot.clock.advance(timedelta(milliseconds=500))

    groups = await ab.groups()
    assert len(groups) == 20 and sum(g.count for g in groups) == 2000
    assert len(await ab.alerts()) == 2000
    assert Counter(g.count for g in groups) == Counter(Counter(order).values())
    # new messages are scheduled a second apart in the channel
    posts = sorted(j.due_at for j in await ab.bot.jobs() if j.kind == "alert_post")
    assert len(posts) == 20
    assert all((b - a) >= timedelta(seconds=1) for a, b in zip(posts, posts[1:], strict=False))

    for _ in range(40):  # play the next 40 seconds, a second at a time
        await ab.bot.drain()
        refreshes = Counter(json.dumps(j.payload) for j in await ab.bot.jobs()
                            if j.kind == "alert_refresh" and j.state == "pending")
        assert all(n <= 1 for n in refreshes.values())  # one pending refresh per group at most
        ab.bot.clock.advance(timedelta(seconds=1))
    await ab.bot.drain()
    assert len(ab.triage_messages()) == 20
    assert len(ab.bot.ws.calls_to("chat.postMessage")) == 20
    shown = sorted(fields(m)["Count"] for m in ab.triage_messages())
    assert shown == sorted(f"{n} alerts" for n in Counter(order).values())
    assert all(j.state == "done" for j in await ab.bot.jobs() if j.kind.startswith("alert_"))
    assert not [j for j in await ab.bot.jobs() if isinstance(j, Job) and j.state == "failed"]


async def test_a_worker_behind_schedule_still_posts_a_second_apart(make_alert_bot: Any) -> None:
    ab = await make_alert_bot(policy=policy(grouping=False))
    for _ in range(5):
        await ab.send("generic", generic())
    ab.bot.clock.advance(timedelta(seconds=30))  # every post is overdue at once
    behind = ab.bot.clock.now()
    await ab.bot.drain()
    assert len(ab.triage_messages()) == 5
    # the worker waited out the channel's pace between posts (on the bot's clock)
    assert ab.bot.clock.now() - behind >= timedelta(seconds=4)
