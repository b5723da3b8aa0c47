"""Nothing recoverable on disk: deleted rows overwritten, private files, strong keys (#13)."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load
from bot.flows.state import State
from bot.privacy import KEY_FILE, key_bits, load_or_create_key
from bot.sessions import POINT_SECONDS, Session, Sessions
from bot.store import STATE_FILE, StateStore

CODE = "c0de" * 16  # what a chat code looks like: 64 hex digits


def on_disk(data: Path) -> bytes:
    return b"".join(p.read_bytes() for p in data.glob(f"{STATE_FILE}*"))


async def test_a_forgotten_chat_leaves_no_trace_in_the_state_files(tmp_path: Path) -> None:
    store = await StateStore.open(tmp_path)
    await store.put(CODE, "uk", "PL")
    await store.put("other" * 12, "es", "ES")
    await store.forget(CODE)
    assert CODE.encode() not in on_disk(tmp_path)  # neither in free pages nor in the WAL
    await store.close()
    assert CODE.encode() not in on_disk(tmp_path)


async def test_the_state_file_is_readable_by_the_bot_only(tmp_path: Path) -> None:
    store = await StateStore.open(tmp_path)
    await store.put(CODE, "uk", "PL")
    for path in tmp_path.glob(f"{STATE_FILE}*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    await store.close()


@pytest.mark.parametrize("weak", ["a" * 40, "ab" * 20, "password1234567890", "0123456789abcdef"])
def test_a_guessable_secret_key_is_refused_with_one_sentence(weak: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load({"BOT_SECRET_KEY": weak})
    message = str(caught.value)
    assert message.startswith("BOT_SECRET_KEY is too easy to guess")
    assert "secrets.token_hex(32)" in message


def test_a_random_64_hex_digit_key_is_accepted() -> None:
    import secrets

    key = secrets.token_hex(32)
    assert key_bits(key) >= 128
    assert load({"BOT_SECRET_KEY": key}).secret_key == key


@pytest.mark.parametrize("content", ["", "abc123\n"])
def test_an_empty_or_short_key_file_is_replaced_with_one_log_line(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / KEY_FILE).write_text(content, encoding="ascii")
    with caplog.at_level(logging.WARNING, logger="waypoint.privacy"):
        key = load_or_create_key(tmp_path)
    assert len(key) == 64 and key_bits(key.decode()) >= 128
    assert [r.getMessage() for r in caplog.records] == [
        "secret.key was empty or too short; a new key was generated"
    ]
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600


async def test_keys_rotate_forgets_all_kept_state_and_the_key(tmp_path: Path) -> None:
    load_or_create_key(tmp_path)
    store = await StateStore.open(tmp_path)
    await store.put(CODE, "uk", "PL")
    await store.close()
    env = {k: v for k, v in os.environ.items() if k != "BOT_SECRET_KEY"}
    env["BOT_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "keys", "rotate"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "forgot the kept state of 1 chat(s)" in done.stdout
    assert not (tmp_path / KEY_FILE).exists()
    store = await StateStore.open(tmp_path)
    assert await store.count() == 0
    await store.close()
    assert CODE.encode() not in on_disk(tmp_path)


def test_a_searched_point_is_dropped_after_15_minutes() -> None:
    sessions = Sessions()
    session = sessions.get("code")
    session.took(State().with_point((52.52, 13.40)))
    assert session.state.point == (52.52, 13.40)
    sessions.prune(now=time.monotonic() + POINT_SECONDS - 5)
    assert session.state.point is not None  # "more results" still works
    sessions.prune(now=time.monotonic() + POINT_SECONDS + 1)
    assert session.state.point is None


def test_a_new_point_restarts_its_15_minutes() -> None:
    session = Session()
    session.took(State().with_point((1.0, 2.0)))
    first = session.point_at
    assert first is not None
    session.took(session.state.with_point((3.0, 4.0)))
    assert session.point_at is not None and session.point_at >= first


async def test_the_state_store_asks_sqlite_to_overwrite_deleted_rows(tmp_path: Path) -> None:
    # Debian's SQLite does this by default; other builds do not, so the store asks for it.
    store = await StateStore.open(tmp_path)
    async with store._db.execute("PRAGMA secure_delete") as cur:
        assert (await cur.fetchone())[0] == 1
    await store.close()
