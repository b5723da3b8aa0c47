"""Webhook mode: Telegram POSTs updates to us; we accept only those that carry our secret.

A small aiohttp server instead of PTB's built-in one, so that the listen address, the body
size limit and the secret check are ours: no update is accepted without the right
`X-Telegram-Bot-Api-Secret-Token` header, and bodies above `MAX_BODY_BYTES` are refused.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
import time
from collections import Counter
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.app import start_in_process, stop_in_process
from bot.config import Config
from bot.handlers.exit import is_quick_exit
from bot.runtime import runtime_of

log = logging.getLogger("waypoint.webhook")

# The largest update Telegram sends is far below this (a 4,096-character text with entities).
MAX_BODY_BYTES = 256 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram gives up on a webhook answer after about a minute; answer before that.
EXIT_CONFIRM_SECONDS = 50.0
REFUSAL_LOG_SECONDS = 60.0


class Refusals:
    """Refused webhook requests, counted by reason and logged at most once a minute.

    Anyone who finds the URL can send requests; a line for each would let them flood the
    log (and bury what matters).
    """

    def __init__(self, every: float = REFUSAL_LOG_SECONDS) -> None:
        self.every = every
        self.counts: Counter[str] = Counter()
        self._last: float | None = None

    def add(self, reason: str) -> None:
        self.counts[reason] += 1
        now = time.monotonic()
        if self._last is not None and now - self._last < self.every:
            return
        self._last = now
        detail = ", ".join(f"{reason}: {n}" for reason, n in sorted(self.counts.items()))
        log.warning("webhook requests refused since the last report: %s", detail)
        self.counts.clear()


def webhook_app(app: Application, secret: str, path: str) -> web.Application:
    refusals = Refusals()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            refusals.add("wrong or missing secret")
            return web.Response(status=403)
        try:
            data = await request.json(loads=json.loads)
            update = Update.de_json(data, app.bot)
        except web.HTTPRequestEntityTooLarge:
            refusals.add("too large")
            raise
        except Exception as exc:  # noqa: BLE001 - any malformed body is the sender's problem
            refusals.add(f"unreadable ({type(exc).__name__})")
            return web.Response(status=400)
        if update is None:
            refusals.add("not an update")
            return web.Response(status=400)
        if not is_quick_exit(update):
            await app.update_queue.put(update)
            return web.Response(status=200)
        # A quick exit is confirmed only once its wipe is done: if the process dies first,
        # Telegram delivers it again after the restart and the wipe runs again.
        exits = runtime_of(app.bot_data).exits
        if exits.started(update.update_id):  # delivered again while wiping: just wait for it
            await app.update_queue.put(update)
        try:
            await asyncio.wait_for(exits.wait(update.update_id), EXIT_CONFIRM_SECONDS)
        except TimeoutError:
            log.warning("quick exit still wiping; left for Telegram to deliver again")
            return web.Response(status=503)
        return web.Response(status=200)

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    server = web.Application(client_max_size=MAX_BODY_BYTES)
    server.router.add_post(path, receive)
    server.router.add_get("/healthz", health)
    return server


async def serve(app: Application, config: Config) -> None:
    assert config.webhook_url is not None and config.webhook_secret is not None
    path = urlparse(config.webhook_url).path or "/"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner: web.AppRunner | None = None
    try:
        await start_in_process(app, polling=False)
        runner = web.AppRunner(webhook_app(app, config.webhook_secret, path), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host=config.listen, port=config.port).start()
        await app.bot.set_webhook(
            url=config.webhook_url,
            secret_token=config.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
        log.info("webhook listening on port %d", config.port)
        await stop.wait()
    finally:
        if runner is not None:
            await runner.cleanup()
        await stop_in_process(app)
