"""The aiohttp transport speaks to the Bot API as PTB's httpx one does, errors included."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.transport import AiohttpRequest

TOKEN = "123456:SECRET-token-part"


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, object]]]]:
    seen: list[dict[str, object]] = []

    async def method(request: web.Request) -> web.Response:
        if request.match_info["method"] == "slow":
            await asyncio.sleep(2)
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            fields = {
                k: (v.filename, v.file.read()) if isinstance(v, web.FileField) else v
                for k, v in form.items()
            }
        else:
            fields = dict(await request.post())
        seen.append({"agent": request.headers.get("User-Agent", ""), **fields})
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", method)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot{TOKEN}", seen
    finally:
        await runner.cleanup()


async def test_parameters_arrive_as_the_bot_api_takes_them(server) -> None:
    root, seen = server
    transport = AiohttpRequest()
    await transport.initialize()
    try:
        data = RequestData(
            [
                RequestParameter("chat_id", 42, None),
                RequestParameter("reply_markup", {"inline_keyboard": [[]]}, None),
            ]
        )
        status, body = await transport.do_request(f"{root}/sendMessage", "POST", data)
    finally:
        await transport.shutdown()
    assert status == 200 and json.loads(body)["ok"] is True
    assert seen[0]["chat_id"] == "42"
    assert json.loads(str(seen[0]["reply_markup"])) == {"inline_keyboard": [[]]}
    assert str(seen[0]["agent"]).startswith("python-telegram-bot")


async def test_files_go_as_multipart(server) -> None:
    root, seen = server
    transport = AiohttpRequest()
    await transport.initialize()
    try:
        photo = InputFile(b"\x89PNG fake", filename="card.png", attach=False)
        data = RequestData(
            [RequestParameter.from_input("chat_id", 7), RequestParameter.from_input("photo", photo)]
        )
        status, _ = await transport.do_request(f"{root}/sendPhoto", "POST", data)
    finally:
        await transport.shutdown()
    assert status == 200
    assert seen[0]["chat_id"] == "7"
    assert seen[0]["photo"] == ("card.png", b"\x89PNG fake")


async def test_a_slow_answer_is_a_time_out(server) -> None:
    root, _ = server
    transport = AiohttpRequest(read_timeout=0.2)
    await transport.initialize()
    try:
        with pytest.raises(TimedOut):
            await transport.do_request(f"{root}/slow", "POST", None)
    finally:
        await transport.shutdown()


async def test_an_unreachable_server_is_a_network_error_that_never_names_the_token() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again at once: nothing listens there
    transport = AiohttpRequest()
    await transport.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await transport.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
    finally:
        await transport.shutdown()
    assert "SECRET" not in str(caught.value)
    assert not isinstance(caught.value, TimedOut)


async def test_a_transport_used_before_it_is_initialized_says_so() -> None:
    with pytest.raises(RuntimeError):
        await AiohttpRequest().do_request("http://127.0.0.1:9/x", "POST")
