"""Every reply that echoes what someone typed makes it inert: no mention, no broadcast, no link survives,
whichever subcommand it was sent to, in an incident channel or not. A careless or hostile sender never
gets "something went wrong" either."""

from __future__ import annotations

import random

from handlers.commands import SUBCOMMANDS
from tests.conftest import Bot

HOSTILE = ["`<@U0EVIL|bob> <!channel>`", "<!here> & <!everyone>", "<https://evil.example|click me>",
           "<#C0EVIL|secret>", "<!subteam^S0EVIL>", "*bold* _it_ ~s~ > quote", "sev9", "9999-12-31",
           "tomorrow", "@channel", "\u202e\u0000", "x" * 4000]
RAW = ("<@U0EVIL", "<!channel>", "<!here>", "<!everyone>", "<https://evil", "<#C0EVIL", "<!subteam^S0EVIL")


def _words(rng: random.Random) -> str:
    return " ".join(rng.choice(HOSTILE) for _ in range(rng.randint(1, 3)))


async def test_every_subcommand_echoes_typed_text_inert(bot: Bot) -> None:
    p = bot.people
    inc = await bot.declare("sev2 Refund delays", user=p.alice)
    rng = random.Random(11)
    for word in [*SUBCOMMANDS, "<!channel>", "<@U0EVIL>"]:
        for channel in (inc.channel_id, p.general):
            for _ in range(3):
                text = f"{word} {_words(rng)}"
                reply = await bot.command(p.bob, text, channel)
                assert reply.status == 200, text
                said = [reply.json.get("text") or "" if reply.json else "", *bot.ephemerals(p.bob)]
                for line in said:
                    assert "Something went wrong" not in line, (text, line)
                    assert not any(raw in line for raw in RAW), (text, line)
    await bot.drain()
    for message in bot.messages(inc.channel_id):
        assert not any(raw in message.text + str(message.blocks) for raw in RAW), message.text
