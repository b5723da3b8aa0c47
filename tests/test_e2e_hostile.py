"""Hostile and strange input end to end: thousands of generated updates through `python -m bot`.

Telegram always sends well-formed updates (an update_id, a chat with id and type, a sender, a
date, the fields each object requires), but their *content* can be anything: 4,096 characters
of any script with right-to-left marks and zero-width joiners, forged callback data on real
and long-gone messages, coordinates off the globe, edits, channel posts, member changes, and
update types newer than our library.  Each hypothesis example pushes a batch of such updates
to the bot's own local Bot API server, waits until the bot has taken them and gone quiet, and
checks the bot is alive, logged no traceback and no failed handler, and broke no Bot API rule.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import seeded_data_dir
from e2e_support import BotProcess, Person, new_chat_id
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.botapi import BotApiServer

BATCH = 20
EXAMPLES = 100  # 100 examples x 20 updates = 2,000 updates
POOL = 24  # private chats the people write from (Telegram only sends updates of real chats)
QUIET_SECONDS = 0.1

# Characters that break naive text handling: bidi controls, joiners, combining marks, emoji
# sequences, a BOM, line and paragraph separators, a few scripts written right to left.
TRICKY = (
    "\u200f\u200e\u202e\u202d\u2066\u2067\u2069\u200d\u200c\u200b\ufeff\u2028\u2029\u0301"
    "\u0336\u034f\u061c\u00ad\ufe0f\u20e3ـ👩‍👩‍👧‍👦🏳️‍🌈🇺🇦ﷺ\u0600\u06dd"
    "אבגשלוםمرحباسلام日本語한국어ẞİıǅ"
)
REAL_ROUTES = (
    "w1|menu", "w1|rights", "w1|rj", "w1|help", "w1|talk", "w1|lang", "w1|privacy",
    "w1|setlang|uk", "w1|setlang|ar", "w1|setlang|zz", "w1|country", "w1|page|am_i_trafficked",
    "w1|setc|DE|rights", "w1|setc|ZZ|rights", "w1|exit", "w1|forget", "w1|helpme",
)  # fmt: skip
COMMANDS = ("/start", "/help", "/privacy", "/language", "/forget", "/menu", "/exit", "/nosuch")

_group_ids = itertools.count(-1_000_000_000_001, -1)


@dataclass
class Pool:
    """Real private chats, each with the id of the bot's message that shows its menu."""

    server: BotApiServer
    bot: BotProcess
    chats: dict[int, int]


@pytest.fixture(scope="module")
async def pool(
    tmp_path_factory: pytest.TempPathFactory, gazetteer_dir: Path
) -> AsyncIterator[Pool]:
    server = BotApiServer()
    await server.start()
    work = tmp_path_factory.mktemp("hostile")
    bot = BotProcess(
        server,
        seeded_data_dir(work / "data", gazetteer_dir),
        work,
        env_extra={"MAX_SEND_RATE": "1000"},
    )
    await start_bot(bot)
    chats: dict[int, int] = {}
    try:
        for lang in itertools.islice(itertools.cycle(("en", "ar", "uk", "zh", "es", "th")), POOL):
            person = Person(server, lang=lang)
            chats[person.chat_id] = (await person.start()).message_id
        yield Pool(server, bot, chats)
    finally:
        await bot.stop()
        await server.stop()


async def start_bot(bot: BotProcess, timeout: float = 60.0) -> None:
    """Start the bot; ready once PTB's updater cleared the webhook, just before it polls
    (BotProcess.wait_ready waits for a finished getUpdates: a 30-second idle long poll)."""
    calls_before = len(bot.server.calls)
    await bot.start(wait_ready=False)
    deadline = time.monotonic() + timeout
    while True:
        recent = [c.method for c in bot.server.calls[calls_before:]]
        if "setMyCommands" in recent and "deleteWebhook" in recent:
            return
        if bot.proc is not None and bot.proc.poll() is not None:
            raise RuntimeError(f"bot exited early:\n{bot.log()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"bot not ready:\n{bot.log()}")
        await asyncio.sleep(0.05)


# --- what Telegram may send --------------------------------------------------------------

texts = st.one_of(
    st.text(min_size=1, max_size=4096),
    st.text(alphabet=st.sampled_from(TRICKY), min_size=1, max_size=300),
    st.text(
        alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(codec="utf-8")),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(("exit", "EXIT!", "вихід", "salir", "Ieșire", "Kyiv", "Madrid", "Ðǿ", " ")),
    st.builds(lambda c, p: f"{c} {p}", st.sampled_from(COMMANDS), st.text(max_size=64)),
)
callback_data = st.one_of(
    st.sampled_from(REAL_ROUTES),
    st.binary(min_size=1, max_size=64).map(lambda b: b.decode("utf-8", "ignore") or "x"),
    st.text(min_size=1, max_size=64).filter(lambda s: len(s.encode()) <= 64),
    st.builds(lambda s: "w1|" + s, st.text(max_size=40)).filter(lambda s: len(s.encode()) <= 64),
    st.none(),
)
anywhere = st.floats(allow_nan=False, allow_infinity=False)  # JSON has no NaN or infinity
latitudes = st.one_of(st.floats(-90, 90), anywhere, st.sampled_from((90.0, -90.0, 91.0, 1e308)))
longitudes = st.one_of(st.floats(-180, 180), anywhere, st.sampled_from((180.0, -180.0, 540.0)))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | anywhere,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def private_chat(chat_id: int, with_name: bool) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": "private"}
    if with_name:
        chat["first_name"] = "Ana"
    return chat


def person(chat_id: int, lang: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Ana"}
    if lang is not None:
        user["language_code"] = lang
    return user


langs = st.one_of(st.none(), st.sampled_from(("en", "es", "uk", "ar", "zh", "xx", "pt-br", "")))


@st.composite
def private_message(draw: st.DrawFn, chat_ids: tuple[int, ...]) -> dict[str, Any]:
    """A message a person sends in a private chat: text, command, location, or other."""
    chat_id = draw(st.sampled_from(chat_ids))
    message: dict[str, Any] = {
        "message_id": draw(st.integers(1, 2**31 - 1)),
        "date": int(time.time()) - draw(st.integers(0, 10**6)),
        "chat": private_chat(chat_id, draw(st.booleans())),
    }
    if draw(st.booleans()):  # Telegram always names the sender; a fuzzer need not
        message["from"] = person(chat_id, draw(langs))
    kind = draw(st.sampled_from(("text", "text", "command", "location", "other", "future")))
    if kind == "text":
        message["text"] = draw(texts)
    elif kind == "command":
        command = draw(st.sampled_from(COMMANDS))
        message["text"] = command + draw(st.sampled_from(("", " ", "@test_bot"))) + draw(
            st.text(max_size=64)
        )
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    elif kind == "location":
        message["location"] = {"latitude": draw(latitudes), "longitude": draw(longitudes)}
        if draw(st.booleans()):
            message["location"]["horizontal_accuracy"] = draw(st.floats(0, 1500))
    elif kind == "other":
        message.update(
            draw(
                st.sampled_from(
                    (
                        {"dice": {"emoji": "🎲", "value": 3}},
                        {"contact": {"phone_number": "+10000000000", "first_name": "X"}},
                        {"venue": {"location": {"latitude": 1.0, "longitude": 2.0},
                                   "title": "T", "address": "A"},
                         "location": {"latitude": 1.0, "longitude": 2.0}},
                        {"photo": [{"file_id": "f", "file_unique_id": "u", "width": 1,
                                    "height": 1}], "caption": "\u202e" * 10},
                        {"sticker": {"file_id": "f", "file_unique_id": "u", "type": "regular",
                                     "width": 1, "height": 1, "is_animated": False,
                                     "is_video": False}},
                    )
                )
            )
        )
    else:
        message[draw(st.sampled_from(("story_v9", "giveaway_v2", "zzz")))] = draw(json_values)
        message["text"] = draw(texts)
    return message


@st.composite
def callback_query(draw: st.DrawFn, pool: Pool) -> dict[str, Any]:
    """A button press on one of the bot's messages, real or long gone, with any data."""
    chat_id = draw(st.sampled_from(tuple(pool.chats)))
    real = draw(st.booleans())
    message_id = pool.chats[chat_id] if real else draw(st.integers(1, 2**31 - 1))
    query: dict[str, Any] = {
        "id": str(draw(st.integers(1, 2**62))),
        "from": person(chat_id, draw(langs)),
        "chat_instance": str(draw(st.integers(0, 2**62))),
    }
    # Telegram names the message pressed (date 0: too old to show).  A query without one
    # comes only from inline mode, which this bot does not offer.
    inaccessible = draw(st.booleans())
    query["message"] = {
        "message_id": message_id,
        "date": 0 if inaccessible else int(time.time()),
        "chat": private_chat(chat_id, True),
    }
    if not inaccessible:
        query["message"]["from"] = dict(pool.server.bot_user)
        query["message"]["text"] = "…"
    data = draw(callback_data)
    if data is not None:
        query["data"] = data
    return {"callback_query": query}


@st.composite
def elsewhere(draw: st.DrawFn, pool: Pool) -> dict[str, Any]:
    """Edits, channel posts, groups, member changes, update types PTB knows but we ignore,
    and update types newer than our library."""
    now = int(time.time())
    chat_id = draw(st.sampled_from(tuple(pool.chats)))
    group = {"id": next(_group_ids), "type": draw(st.sampled_from(("group", "supergroup"))),
             "title": draw(st.text(max_size=40))}
    channel = {"id": next(_group_ids), "type": "channel", "title": "C"}
    member_bot = {"status": "member", "user": dict(pool.server.bot_user)}
    kicked_bot = {"status": "kicked", "user": dict(pool.server.bot_user), "until_date": 0}
    choice = draw(st.integers(0, 8))
    if choice == 0:
        return {"edited_message": {**draw(private_message(tuple(pool.chats))), "edit_date": now}}
    if choice == 1:
        return {"channel_post": {"message_id": 1, "date": now, "chat": channel,
                                 "text": draw(texts)}}
    if choice == 2:
        return {"edited_channel_post": {"message_id": 1, "date": now, "chat": channel,
                                        "edit_date": now, "text": draw(texts)}}
    if choice == 3:
        return {"message": {"message_id": 1, "date": now, "chat": group,
                            "from": person(4242, "en"), "text": draw(texts)}}
    if choice == 4:
        old, new = draw(st.sampled_from(((member_bot, kicked_bot), (kicked_bot, member_bot))))
        return {"my_chat_member": {"chat": private_chat(chat_id, True),
                                   "from": person(chat_id, "en"), "date": now,
                                   "old_chat_member": old, "new_chat_member": new}}
    if choice == 5:
        return {"chat_member": {"chat": group, "from": person(4242, None), "date": now,
                                "old_chat_member": {"status": "left",
                                                    "user": person(4243, None)},
                                "new_chat_member": {"status": "member",
                                                    "user": person(4243, None)}}}
    if choice == 6:
        return {"message_reaction": {"chat": private_chat(chat_id, True), "message_id": 1,
                                     "date": now, "user": person(chat_id, None),
                                     "old_reaction": [],
                                     "new_reaction": [{"type": "emoji", "emoji": "👍"}]}}
    if choice == 7:
        return {"inline_query": {"id": "1", "from": person(chat_id, None),
                                 "query": draw(texts), "offset": ""}}
    return {draw(st.sampled_from(("future_update", "guest_message_v12", "x"))): draw(json_values)}


def updates(pool: Pool) -> st.SearchStrategy[list[dict[str, Any]]]:
    one = st.one_of(
        st.builds(lambda m: {"message": m}, private_message(tuple(pool.chats))),
        callback_query(pool),
        elsewhere(pool),
    )
    return st.lists(one, min_size=BATCH, max_size=BATCH)


# --- the checks -------------------------------------------------------------------------------


async def quiet(server: BotApiServer, seconds: float = QUIET_SECONDS) -> None:
    """Until the bot fetched every update and then made no call for `seconds`."""
    await server.wait_for(lambda: not server.pending_updates, timeout=60)
    deadline = time.monotonic() + 60
    seen = len(server.calls)
    while time.monotonic() < deadline:
        await asyncio.sleep(seconds)
        if len(server.calls) == seen and not server.pending_updates:
            return
        seen = len(server.calls)
    raise TimeoutError("the bot never went quiet")


def assert_healthy(pool: Pool) -> None:
    proc = pool.bot.proc
    log = pool.bot.log()
    assert proc is not None and proc.poll() is None, f"the bot died:\n{log[-3000:]}"
    bad = [line for line in log.splitlines() if "Traceback" in line or "handler failed" in line]
    assert not bad, f"{bad[:5]}\n{log[-3000:]}"
    assert not pool.server.violations, pool.server.violations[:5]


PUSHED: list[int] = []  # updates pushed by the generated test, for the test after it


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same 2,000 updates on every run, so that a CI failure reproduces
    database=None,
    phases=(Phase.explicit, Phase.generate),  # shrinking re-runs a live bot: far too slow
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
async def test_generated_updates_never_break_the_bot(pool: Pool, data: st.DataObject):
    batch = data.draw(updates(pool), label="batch")
    for update in batch:
        await pool.server.push_raw_update(update)
    PUSHED.append(len(batch))
    await quiet(pool.server)
    assert_healthy(pool)


async def test_after_two_thousand_hostile_updates_the_bot_still_answers_start(pool: Pool):
    assert sum(PUSHED) >= 2000
    await quiet(pool.server, 1.0)
    assert_healthy(pool)
    screen = await Person(pool.server, new_chat_id()).start()
    assert screen.text.startswith("Waypoint")
    assert_healthy(pool)
