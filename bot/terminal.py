"""The terminal chat: the same bot, offline, in a terminal.

With no TELEGRAM_BOT_TOKEN, `make run` starts the local Bot API server in-process and the
real Application against it, and plays the person from the keyboard: a number presses a
button, `/loc LAT,LON` shares a location, anything else is sent as text.  Ctrl-D leaves.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from dataclasses import replace

from bot.botapi import BotApiServer, ChatEvent, StoredMessage
from bot.config import Config

CHAT_ID = 424242
QUIET_SECONDS = 0.3
MAX_WAIT_SECONDS = 20.0
_LOC = re.compile(r"^/loc\s+(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")

INTRO = """\
Waypoint — local terminal chat (no TELEGRAM_BOT_TOKEN set, nothing leaves this computer).
Type a number to press a button, /loc LAT,LON to share a location, anything else to send it.
Ctrl-D leaves. To connect a real bot: get a token from @BotFather, then
    TELEGRAM_BOT_TOKEN=123456:ABC... make run
"""


def _language_code() -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value.split(".")[0].replace("_", "-").lower()
    return "en"


def language_line(code: str) -> str:
    """Which language the chat opens in, why, and how to pick another."""
    from bot.i18n import language_name, negotiate

    lang = negotiate(code)
    source = next(
        (f"{n}={os.environ[n]}" for n in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(n)),
        "no LANG set",
    )
    return (
        f"Language: {language_name(lang)} ({lang}), from your system ({source}). "
        "To change it: LANG=uk_UA.UTF-8 make run (any shipped language), "
        "or the 🌐 Language button in the menu."
    )


class TerminalChat:
    def __init__(self, server: BotApiServer, out: object = None) -> None:
        self.server = server
        self.out = out or sys.stdout
        self.screen: StoredMessage | None = None
        self._last_event = 0.0
        self._language_code = _language_code()
        server.add_listener(self._on_event)

    def _print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)  # type: ignore[call-overload]

    def _on_event(self, event: ChatEvent) -> None:
        if event.chat_id != CHAT_ID:
            return
        self._last_event = asyncio.get_running_loop().time()
        if event.kind in ("sent", "edited") and event.message is not None:
            self._show(event.message)
        elif (
            event.kind == "deleted"
            and event.message is not None
            and self.screen is not None
            and self.screen.message_id == event.message.message_id
        ):
            self.screen = None

    def _show(self, message: StoredMessage) -> None:
        self._print("─" * 60)
        if message.kind == "venue":
            venue = message.payload.get("venue", {})
            self._print(f"📍 {venue.get('title', '')} — {venue.get('address', '')}")
            return
        self._print(message.text or "")
        buttons = BotApiServer.buttons(message)
        if buttons:
            self.screen = message
            self._print()
            for number, (label, target) in enumerate(buttons, start=1):
                extra = f"  ({target})" if target and target.startswith("http") else ""
                self._print(f"  [{number}] {label}{extra}")

    async def settle(self) -> None:
        """Wait until the bot has answered: no update pending and a short quiet spell."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        while loop.time() - start < MAX_WAIT_SECONDS:
            await asyncio.sleep(0.05)
            quiet = loop.time() - max(self._last_event, start) >= QUIET_SECONDS
            if quiet and not self.server.pending_updates:
                return

    async def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        located = _LOC.match(line)
        if line.isdigit() and self.screen is not None:
            buttons = BotApiServer.buttons(self.screen)
            index = int(line) - 1
            if 0 <= index < len(buttons):
                label, target = buttons[index]
                if target and target.startswith("http"):
                    self._print(f"(a link: {target})")
                    return
                try:
                    await self.server.press(CHAT_ID, self.screen.message_id, target or "")
                except LookupError:
                    self._print("(that screen is gone; type /start)")
                    return
            else:
                self._print(f"(no button {line}; choose 1 to {len(buttons)})")
                return
        elif located:
            lat, lon = float(located.group(1)), float(located.group(2))
            await self.server.send_location(CHAT_ID, lat, lon, language_code=self._language_code)
        elif line.startswith("/"):
            command, _, payload = line.partition(" ")
            await self.server.send_command(
                CHAT_ID, command, payload or None, language_code=self._language_code
            )
        else:
            await self.server.send_text(CHAT_ID, line, language_code=self._language_code)
        await self.settle()


async def _read_line() -> str:
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def chat(config: Config) -> int:
    from bot.app import build_application, start_in_process, stop_in_process

    server = BotApiServer()
    await server.start()
    local = replace(config, token=server.token, api_base_url=server.root)
    app = build_application(local)
    terminal = TerminalChat(server)
    print(INTRO + language_line(terminal._language_code) + "\n", flush=True)
    try:
        await start_in_process(app)
        await terminal.server.send_command(
            CHAT_ID, "/start", language_code=terminal._language_code
        )
        await terminal.settle()
        while True:
            line = await _read_line()
            if line == "":
                break
            await terminal.handle(line)
    finally:
        await stop_in_process(app)
        await server.stop()
    print("\nBye.", flush=True)
    return 0


def run_terminal(config: Config) -> int:
    from bot.parts import StartupError
    from bot.privacy import setup_logging

    setup_logging(logging.WARNING)
    try:
        return asyncio.run(chat(config))
    except StartupError as exc:
        print(f"waypoint: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
