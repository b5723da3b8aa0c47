"""End to end: `python -m bot` as a subprocess, a person in Telegram played by the test server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from conftest import seeded_data_dir
from e2e_support import ROOT, BotProcess, Person

from bot.botapi import BotApiServer
from bot.flows.routes import Route

MENU = Route("menu").encode()
EXIT = Route("exit").encode()


def labels(person: Person) -> list[str]:
    return [text for text, _ in person.buttons()]


async def test_start_shows_the_main_menu_with_an_emergency_line_and_quick_exit(
    running_bot, clean_api
):
    person = Person(clean_api)
    screen = await person.start()
    assert "automated" in screen.text
    assert "🆘" in screen.text
    data = [d for _, d in person.buttons()]
    assert EXIT in data
    for wanted in ("Your rights", "Restorative", "Find help", "Talk to a person", "Language"):
        assert any(wanted in label for label in labels(person)), wanted


async def test_every_screen_has_back_main_menu_and_quick_exit_and_edits_in_place(
    running_bot, clean_api
):
    person = Person(clean_api)
    await person.start()
    menu_message = person.screen().message_id
    seen: set[str] = set()
    queue = [d for _, d in person.buttons() if d and d != EXIT]
    visited = 0
    while queue and visited < 120:
        data = queue.pop(0)
        if data in seen:
            continue
        seen.add(data)
        # Open each screen from the main menu's message, as a person going back and forth would.
        await person.press_data(MENU, menu_message)
        before = len([m for m in clean_api.chat_messages(person.chat_id) if m.from_bot])
        screen = await person.press_data(data, menu_message)
        visited += 1
        after = len([m for m in clean_api.chat_messages(person.chat_id) if m.from_bot])
        assert screen.message_id == menu_message, f"{data} did not edit the screen"
        assert after == before, f"{data} sent new messages instead of editing"
        buttons = [d for _, d in person.buttons()]
        assert EXIT in buttons, f"{data} has no quick exit"
        is_main_menu = {"w1|lang", "w1|privacy"} <= set(buttons)
        if not is_main_menu:
            assert MENU in buttons, f"{data} has no main menu button"
        queue.extend(d for d in buttons if d and d not in seen and d != EXIT)
    assert visited >= 40


async def test_a_forged_or_stale_button_opens_the_main_menu(running_bot, clean_api):
    person = Person(clean_api)
    await person.start()
    for forged in ("w1|nosuch", "garbage", "w1|page|" + "x" * 50, "w1|setc|ZZ|rights", "w1|"):
        screen = await person.press_data(forged)
        assert "automated" in screen.text or "Country" in screen.text
    assert not clean_api.unanswered_callbacks()


async def test_a_sticker_gets_a_kind_word_and_the_menu(running_bot, clean_api):
    person = Person(clean_api)
    await person.start()
    before = len(clean_api.calls)
    await clean_api.send_sticker(person.chat_id)
    await clean_api.wait_for(
        lambda: any(c.method == "sendMessage" for c in clean_api.calls[before:])
    )
    screen = person.screen()
    assert "only follow the buttons" in screen.text
    assert EXIT in [d for _, d in person.buttons()]


async def test_a_4000_character_message_is_answered_and_never_echoed(running_bot, clean_api):
    person = Person(clean_api)
    await person.start()
    long_text = "Ж" * 3990 + " SENTINEL"
    screen = await person.say(long_text)
    assert "SENTINEL" not in screen.text
    assert EXIT in [d for _, d in person.buttons()]


async def test_in_a_group_the_bot_says_nothing_of_its_subject_and_leaves(running_bot, clean_api):
    group = -100_000_777
    before = len(clean_api.calls)
    await clean_api.add_bot_to_group(group)
    await clean_api.wait_for(
        lambda: any(c.method == "leaveChat" for c in clean_api.calls[before:]), timeout=10
    )
    said = " ".join(m.text or "" for m in clean_api.chat_messages(group) if m.from_bot).lower()
    for word in ("traffick", "rights", "help", "exit", "restorative", "menu"):
        assert word not in said


async def test_commands_are_registered_for_every_shipped_language(running_bot, clean_api):
    from bot.i18n import shipped_languages

    names = {c["command"] for c in clean_api.commands()}
    assert names == {"start", "exit", "privacy", "language", "help"}
    for lang in shipped_languages():
        assert {c["command"] for c in clean_api.commands(language_code=lang)} == names


async def test_sigterm_stops_the_bot_by_itself(own_api, tmp_path, gazetteer_dir):
    # A platform sends SIGTERM and kills a few seconds later; the bot must finish on its own.
    # How fast it stops is measured, not asserted (the 30 s only guards against a hang).
    process = BotProcess(own_api, seeded_data_dir(tmp_path / "data", gazetteer_dir), tmp_path)
    await process.start()
    person = Person(own_api)
    await person.start()
    await process.stop(timeout=30.0)
    assert process.proc is not None
    assert process.proc.returncode == 0, (process.proc.returncode, process.log())


def _run_bot(env_extra: dict[str, str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update({"BOT_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)})
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        input="",
    )


def test_an_unreachable_bot_api_gets_one_sentence_and_a_non_zero_exit(tmp_path):
    result = _run_bot(
        {
            "TELEGRAM_BOT_TOKEN": "123456:TEST",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
            "RESOURCES_CSV": str(ROOT / "resources.csv"),
        },
        tmp_path,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("waypoint: cannot reach the Bot API"), result.stderr


def test_a_malformed_setting_gets_one_sentence_and_a_non_zero_exit(tmp_path):
    result = _run_bot({"PORT": "eighty"}, tmp_path, "webhook")
    assert result.returncode == 2
    assert result.stderr.strip() == "waypoint: PORT must be a number between 1 and 65535."


def test_the_terminal_chat_shows_the_main_menu_and_exits_zero_at_end_of_input(tmp_path):
    result = _run_bot({"RESOURCES_CSV": str(ROOT / "resources.csv")}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[1] ⚖️ Your rights" in result.stdout
    assert "Quick exit" in result.stdout
    assert "@BotFather" in result.stdout


async def test_the_terminal_chat_presses_buttons_by_number(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update({"BOT_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT),
                "RESOURCES_CSV": str(ROOT / "resources.csv")})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(b"6\n"), timeout=60)
    assert proc.returncode == 0, err.decode()
    assert "Telegram keeps its own copy" in out.decode()


async def test_api_server_saw_no_violations_from_the_shared_bot(running_bot, api: BotApiServer):
    api.assert_clean()


def test_the_terminal_chat_says_which_language_it_picked_and_how_to_change_it(tmp_path):
    result = _run_bot(
        {"RESOURCES_CSV": str(ROOT / "resources.csv"), "LANG": "uk_UA.UTF-8", "LC_ALL": ""},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Language: Українська (uk), from your system (LANG=uk_UA.UTF-8)." in result.stdout
    assert "LANG=uk_UA.UTF-8 make run" in result.stdout and "🌐" in result.stdout


def test_a_short_terminal_run_leaves_no_temporary_files(tmp_path):
    # Ended at once, while the gazetteer is still being built in its child process.
    result = _run_bot({"RESOURCES_CSV": str(ROOT / "resources.csv")}, tmp_path)
    assert result.returncode == 0, result.stderr
    left = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or ".tmp" in p.name]
    assert left == []
