"""Quick exit tried as an adversary would: slow Telegram, typed-ahead updates, a slow map
service, a full disk, a kill mid-wipe. After the wipe, nothing of the old conversation may
come back: not a screen, not a pin, not a state row (issue #13)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import seeded_data_dir
from e2e_support import ROOT, BotProcess, Person
from test_e2e_geocoder import FakeNominatim
from test_e2e_webhook import free_port

from bot.app import build_application, start_in_process, stop_in_process
from bot.botapi import BotApiServer
from bot.config import load as load_config
from bot.flows.routes import Route
from bot.runtime import runtime_of
from bot.store import StateStore

HELP = Route("help").encode()
EXIT_LINE = "👍"


@pytest.fixture
async def slow_map() -> AsyncIterator[FakeNominatim]:
    server = FakeNominatim(delay=3.0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def geocoder_env(nominatim: FakeNominatim) -> dict[str, str]:
    return {
        "GEOCODER": "nominatim",
        "GEOCODER_USER_AGENT": "waypoint-tests",
        "GEOCODER_DOMAIN": f"127.0.0.1:{nominatim.port}",
        "GEOCODER_SCHEME": "http",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


def kept_rows(data: Path) -> int:
    with sqlite3.connect(data / "state.sqlite3") as db:
        return db.execute("SELECT count(*) FROM chat_state").fetchone()[0]


def left_in_chat(api: BotApiServer, person: Person) -> list[str]:
    return [m.text or f"<{m.kind}>" for m in api.chat_messages(person.chat_id)]


async def settle(api: BotApiServer, person: Person, seconds: float) -> None:
    """Wait for the exit line, then long enough for every slowed call to have come back."""
    await api.wait_for(lambda: EXIT_LINE in left_in_chat(api, person), timeout=30)
    await asyncio.sleep(seconds)


async def test_a_screen_in_flight_and_typed_ahead_texts_leave_nothing_after_the_exit(
    own_api: BotApiServer, tmp_path: Path, gazetteer_dir: Path
) -> None:
    data = seeded_data_dir(tmp_path / "data", gazetteer_dir)
    bot = await BotProcess(own_api, data, tmp_path).start()
    person = Person(own_api)
    try:
        await person.start()
        own_api.slow("sendMessage", 2.0)
        own_api.slow("editMessageText", 2.0)
        await own_api.send_command(person.chat_id, "/help")  # its answer will be in flight
        for text in ("one", "two", "three"):  # typed ahead, still queued behind it
            await own_api.send_text(person.chat_id, text)
        await asyncio.sleep(0.5)
        await own_api.send_command(person.chat_id, "/exit")
        await settle(own_api, person, 4.0)
        assert left_in_chat(own_api, person) == [EXIT_LINE]
        own_api.clear_faults()
    finally:
        await bot.stop()
    log = bot.log()
    assert "I can only follow the buttons" not in log
    assert kept_rows(data) == 0


async def test_a_slow_place_lookup_shows_and_writes_nothing_after_the_exit(
    own_api: BotApiServer, tmp_path: Path, gazetteer_dir: Path, slow_map: FakeNominatim
) -> None:
    data = seeded_data_dir(tmp_path / "data", gazetteer_dir)
    bot = await BotProcess(own_api, data, tmp_path, env_extra=geocoder_env(slow_map)).start()
    person = Person(own_api)
    try:
        await person.start()
        await person.press_data(HELP)
        # A town only the (slow) map service knows, in Germany: its results would set the
        # country and write it down.
        await own_api.send_text(person.chat_id, "Quokkaville")
        for _ in range(300):  # the map service is not the Bot API server: poll it
            if slow_map.queries:
                break
            await asyncio.sleep(0.02)
        assert slow_map.queries
        await own_api.send_command(person.chat_id, "/exit")
        await settle(own_api, person, slow_map.delay + 1.0)
        assert left_in_chat(own_api, person) == [EXIT_LINE]
    finally:
        await bot.stop()
    assert kept_rows(data) == 0


class FullDisk:
    """The state store on a disk that has filled up: every write fails as SQLite says it."""

    def __init__(self, store: StateStore) -> None:
        self._store = store

    async def get(self, code: str):  # noqa: ANN201 - passes the real store's answer on
        return await self._store.get(code)

    async def put(self, code: str, lang: str | None, country: str | None) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    async def forget(self, code: str) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    async def close(self) -> None:
        await self._store.close()


async def test_exit_with_a_full_disk_still_wipes_and_shows_no_error_screen(
    own_api: BotApiServer, tmp_path: Path, gazetteer_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The real Application in this process, so its store can be put on a "full disk".
    data = seeded_data_dir(tmp_path / "data", gazetteer_dir)
    config = load_config(
        {
            "TELEGRAM_BOT_TOKEN": own_api.token,
            "TELEGRAM_API_BASE_URL": own_api.root,
            "BOT_DATA_DIR": str(data),
            "RESOURCES_CSV": str(ROOT / "resources.csv"),
        }
    )
    app = build_application(config)
    person = Person(own_api)
    caplog.set_level(logging.INFO)
    try:
        await start_in_process(app)
        rt = runtime_of(app.bot_data)
        assert rt.store is not None
        await person.start()
        await person.open("rights")
        rt.store = FullDisk(rt.store)  # type: ignore[assignment]
        await own_api.send_command(person.chat_id, "/exit")
        await settle(own_api, person, 1.0)
        assert left_in_chat(own_api, person) == [EXIT_LINE]
    finally:
        await stop_in_process(app)
    lines = [r.getMessage() for r in caplog.records]
    assert "forget failed at exit (OperationalError)" in lines
    assert not any(line.startswith("handler failed") for line in lines), lines


async def test_a_kill_mid_wipe_is_finished_after_the_restart(
    own_api: BotApiServer, tmp_path: Path, gazetteer_dir: Path
) -> None:
    data = seeded_data_dir(tmp_path / "data", gazetteer_dir)
    bot = await BotProcess(own_api, data, tmp_path).start()
    person = Person(own_api)
    try:
        await person.start()
        await person.open("rights")
        await person.open("menu")
        await person.say("hello")
        own_api.slow("deleteMessages", 30.0)
        await own_api.send_command(person.chat_id, "/exit")
        await own_api.wait_for(lambda: "deleteMessages" in own_api.arrived, timeout=15)
        await bot.stop(signal.SIGKILL)
        own_api.clear_faults()
        assert len(left_in_chat(own_api, person)) > 4  # the kill came before any deletion
        restarted = await BotProcess(own_api, data, tmp_path).start()
        try:
            await settle(own_api, person, 1.0)
            assert left_in_chat(own_api, person) == [EXIT_LINE]
        finally:
            await restarted.stop()
    finally:
        await bot.stop()
    # No chat id in plain form was written to make that possible.
    for path in (p for p in data.rglob("*") if p.is_file()):
        if "gazetteer" in path.name:
            continue
        assert str(person.chat_id).encode() not in path.read_bytes(), path


async def test_a_kill_mid_wipe_in_webhook_mode_is_finished_after_the_restart(
    own_api: BotApiServer, tmp_path: Path, gazetteer_dir: Path
) -> None:
    port = free_port()
    env = {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "WEBHOOK_SECRET": "exit-test-secret",
        "PORT": str(port),
        "LISTEN": "127.0.0.1",
    }
    data = seeded_data_dir(tmp_path / "data", gazetteer_dir)
    bot = await BotProcess(own_api, data, tmp_path, env_extra=env, args=("webhook",)).start()
    person = Person(own_api)
    try:
        await person.start()
        await person.open("rights")
        own_api.slow("deleteMessages", 30.0)
        await own_api.send_command(person.chat_id, "/exit")
        await own_api.wait_for(lambda: "deleteMessages" in own_api.arrived, timeout=15)
        await bot.stop(signal.SIGKILL)
        own_api.clear_faults()
        # The exit was never answered 200, so Telegram still holds it for the next start.
        exit_id = max(u["update_id"] for u in own_api.pending_updates)
        assert not any(
            d.update_id == exit_id and d.status == 200 for d in own_api.webhook_deliveries
        )
        restarted = await BotProcess(
            own_api, data, tmp_path, env_extra=env, args=("webhook",)
        ).start()
        try:
            await settle(own_api, person, 1.0)
            assert left_in_chat(own_api, person) == [EXIT_LINE]
        finally:
            await restarted.stop()
    finally:
        await bot.stop()


async def test_a_double_tap_on_exit_leaves_a_single_line(running_bot, clean_api) -> None:
    person = Person(clean_api)
    await person.start()
    await person.open("rights")
    clean_api.slow("deleteMessages", 0.5, times=40)  # the first wipe is still running
    await clean_api.send_command(person.chat_id, "/exit")
    await clean_api.send_command(person.chat_id, "/exit")
    try:
        for _ in range(200):
            left = left_in_chat(clean_api, person)
            if left.count(EXIT_LINE) and len(left) == left.count(EXIT_LINE) and (
                sum(1 for c in clean_api.calls if c.method == "sendMessage"
                    and str(c.params.get("chat_id")) == str(person.chat_id)
                    and c.params.get("text") == EXIT_LINE) >= 2
            ):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
    finally:
        clean_api.clear_faults()
    assert left_in_chat(clean_api, person) == [EXIT_LINE]
