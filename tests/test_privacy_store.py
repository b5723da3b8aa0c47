"""What is kept expires, and the auto-wipe timer restarts with every answer."""

from __future__ import annotations

import asyncio

from bot.flows.state import State
from bot.handlers import exit as quick_exit
from bot.sessions import Session
from bot.store import EXPIRY_SECONDS, StateStore


async def test_kept_language_and_country_expire_after_30_days_without_use(tmp_path):
    store = await StateStore.open(tmp_path)
    await store.put("code-a", "es", "DE")
    assert (await store.get("code-a")).country == "DE"
    old_day = store._today() - EXPIRY_SECONDS // (24 * 3600) - 2
    await store._db.execute("UPDATE chat_state SET touched_day = ?", (old_day,))
    await store._db.commit()
    assert await store.get("code-a") is None
    await store.close()


async def test_forget_removes_the_row_at_once(tmp_path):
    store = await StateStore.open(tmp_path)
    await store.put("code-b", "uk", None)
    await store.forget("code-b")
    assert await store.get("code-b") is None
    await store.close()


async def test_auto_wipe_fires_after_silence_and_restarts_with_each_answer(monkeypatch):
    wiped: list[int] = []

    async def fake_clear(bot, rt, chat_id, newest_hint=0):
        wiped.append(chat_id)

    monkeypatch.setattr(quick_exit, "AUTO_WIPE_SECONDS", 0.2)
    monkeypatch.setattr(quick_exit, "clear_chat", fake_clear)
    session = Session(state=State(auto_wipe=True))
    quick_exit.arm_auto_wipe(None, None, 42, session)
    await asyncio.sleep(0.1)
    quick_exit.arm_auto_wipe(None, None, 42, session)  # the person did something: start again
    await asyncio.sleep(0.15)
    assert wiped == []
    await asyncio.sleep(0.15)
    assert wiped == [42]


async def test_auto_wipe_off_arms_nothing():
    session = Session(state=State(auto_wipe=False))
    quick_exit.arm_auto_wipe(None, None, 42, session)
    assert session.auto_wipe_task is None
