"""Quick exit really wipes the chat, and nothing a person sent is ever written anywhere."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import pytest
from conftest import seeded_data_dir
from e2e_support import BotProcess, Person

from bot.flows.routes import Route

EXIT = Route("exit").encode()
SUBJECT_WORDS = ("traffick", "rights", "help", "restorative", "police", "exit", "menu")


def visible(api, person: Person):
    return api.chat_messages(person.chat_id)


async def assert_wiped(api, person: Person) -> None:
    # The wipe ends with the neutral line; wait for it rather than for the first deletion.
    for _ in range(300):
        if len(visible(api, person)) <= 1:
            break
        await asyncio.sleep(0.05)
    left = visible(api, person)
    assert len(left) <= 1, [m.text for m in left]
    for message in left:
        assert message.from_bot and not message.inline_keyboard
        for word in SUBJECT_WORDS:
            assert word not in (message.text or "").lower()


async def converse(person: Person, sentinel: str | None = None) -> None:
    await person.start()
    await person.open("rights")
    await person.open("menu")
    await person.open("privacy")
    await person.say(sentinel or "hello")
    await person.command("/help")


async def test_exit_deletes_both_sides_of_the_chat(running_bot, clean_api):
    person = Person(clean_api)
    await converse(person)
    assert len(visible(clean_api, person)) > 4
    await person.command("/exit")
    await assert_wiped(clean_api, person)


async def test_the_quick_exit_button_wipes_the_chat(running_bot, clean_api):
    person = Person(clean_api)
    await converse(person)
    await person.open("exit")
    await assert_wiped(clean_api, person)


@pytest.mark.parametrize(("lang", "word"), [("es", "salir"), ("uk", "вийти"), ("ar", "خروج")])
async def test_the_exit_word_of_a_language_wipes_the_chat(running_bot, clean_api, lang, word):
    person = Person(clean_api, lang=lang)
    await converse(person)
    await person.say(word)
    await assert_wiped(clean_api, person)


async def test_a_chat_of_200_messages_is_wiped(running_bot, clean_api):
    person = Person(clean_api)
    await person.start()
    for i in range(100):
        await clean_api.send_text(person.chat_id, f"message {i}")
    await clean_api.wait_for(
        lambda: len([m for m in visible(clean_api, person) if m.from_bot]) >= 100, timeout=60
    )
    assert len(visible(clean_api, person)) >= 200
    await person.command("/exit")
    await assert_wiped(clean_api, person)


async def test_exit_after_a_restart_still_deletes_what_came_before(
    own_api, tmp_path, gazetteer_dir
):
    data = seeded_data_dir(tmp_path / "data", gazetteer_dir)
    first = BotProcess(own_api, data, tmp_path)
    await first.start()
    person = Person(own_api)
    await converse(person)
    await first.stop()
    second = BotProcess(own_api, data, tmp_path)
    await second.start()
    try:
        await person.command("/exit")
        await assert_wiped(own_api, person)
    finally:
        await second.stop()


async def test_forget_deletes_the_kept_language_and_country(running_bot, clean_api):
    person = Person(clean_api)
    await person.start()
    await person.open("lang")
    await person.open("setlang")
    screen = await person.command("/forget")
    assert "forgotten" in screen.text or "olvid" in screen.text.lower()


async def test_nothing_a_person_sent_is_written_to_any_file_or_log(
    own_api, tmp_path, gazetteer_dir
):
    sentinel = "SENTINEL-quokka-5521"
    chat_id = 7_123_456_789
    lat, lon = 48.137154, 11.576124
    data = seeded_data_dir(tmp_path / "data", gazetteer_dir)
    before_tmp = set(Path(tempfile.gettempdir()).iterdir())
    process = BotProcess(own_api, data, tmp_path, env_extra={"LOG_LEVEL": "DEBUG"})
    await process.start()
    person = Person(own_api, chat_id=chat_id)
    try:
        await person.start()
        await person.press("Language")
        await person.press("Español")
        await person.say(sentinel)
        await person.press_data(Route("help").encode())
        await person.say(f"München {sentinel}")
        await person.share(lat, lon)
        await person.press_data(Route("help").encode())
        await person.say("Lyon")
        await person.command("/exit")
    finally:
        await process.stop()
    needles = [sentinel, str(chat_id), f"{lat}", f"{lon}", "48.137", "11.576", "München"]
    places = [data, tmp_path, *(set(Path(tempfile.gettempdir()).iterdir()) - before_tmp)]
    for place in places:
        files = [place] if place.is_file() else [p for p in place.rglob("*") if p.is_file()]
        for path in files:
            if path.name.endswith("gazetteer.sqlite3"):
                continue  # a copy of GeoNames made before the bot started: place names only
            content = path.read_bytes()
            for needle in needles:
                assert needle.encode() not in content, f"{needle!r} found in {path}"
    log = process.log()
    assert "DEBUG" in log  # the log really ran at DEBUG
    for needle in needles:
        assert needle not in log, f"{needle!r} found in the log"


def test_the_key_file_is_private_to_the_bots_user(running_bot):
    key = running_bot.data_dir / "secret.key"
    assert key.exists()
    assert (os.stat(key).st_mode & 0o777) == 0o600
