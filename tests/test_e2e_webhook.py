"""Webhook mode: the bot registers its URL with a secret and refuses anything without it."""

from __future__ import annotations

import socket

import aiohttp
from conftest import seeded_data_dir
from e2e_support import BotProcess, Person

from bot.botapi import BotApiServer

SECRET = "s3cret-for-tests_only"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_answers_updates_that_carry_the_secret_and_refuses_others(
    tmp_path, gazetteer_dir
):
    server = BotApiServer()
    await server.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    process = BotProcess(
        server,
        seeded_data_dir(tmp_path / "data", gazetteer_dir),
        tmp_path,
        env_extra={"WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET, "PORT": str(port),
                   "LISTEN": "127.0.0.1"},
        args=("webhook",),
    )
    try:
        await process.start()
        registered = [c for c in server.calls if c.method == "setWebhook"][-1]
        assert registered.params["url"] == url
        assert registered.params["secret_token"] == SECRET

        person = Person(server)
        screen = await person.start()
        assert "automated" in screen.text

        forged = {"update_id": 999, "message": {"message_id": 1, "date": 0,
                  "chat": {"id": 5, "type": "private"}, "text": "/start"}}
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=forged) as response:
                assert response.status == 403
            async with http.post(url, json=forged,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as response:
                assert response.status == 403
            huge = b'{"update_id": 1, "x": "' + b"a" * 400_000 + b'"}'
            async with http.post(url, data=huge, headers={
                "X-Telegram-Bot-Api-Secret-Token": SECRET,
                "Content-Type": "application/json"}) as response:
                assert response.status == 413
            async with http.post(url, data=b"not json", headers={
                "X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                assert response.status == 400
        assert not server.chat_messages(5)
        server.assert_clean()
    finally:
        await process.stop()
        await server.stop()
