"""Running `python -m bot` against the local Bot API server, and playing a person in it.

End-to-end tests use no fakes of our own product: the bot runs as a subprocess exactly as an
operator starts it, and talks HTTP to `bot.botapi.BotApiServer`, which checks every call
against the Bot API spec.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.botapi import BotApiServer, StoredMessage
from bot.flows.routes import Route

ROOT = Path(__file__).resolve().parent.parent
_chat_ids = itertools.count(700_000_001)


def new_chat_id() -> int:
    return next(_chat_ids)


@dataclass
class BotProcess:
    """`python -m bot` as a subprocess with its own data dir and working dir."""

    server: BotApiServer
    data_dir: Path
    workdir: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
        env.update(
            {
                "TELEGRAM_BOT_TOKEN": self.server.token,
                "TELEGRAM_API_BASE_URL": self.server.root,
                "BOT_DATA_DIR": str(self.data_dir),
                "RESOURCES_CSV": str(ROOT / "resources.csv"),
                "PYTHONPATH": str(ROOT),
                "TMPDIR": str(self.workdir / "tmp"),
            }
        )
        env.update(self.env_extra)
        return env

    async def start(self, *, wait_ready: bool = True) -> BotProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "tmp").mkdir(exist_ok=True)
        self.log_path = self.workdir / f"bot-{time.monotonic_ns()}.log"
        calls_before = len(self.server.calls)
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", *self.args],
                cwd=self.workdir,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if wait_ready:
            await self.wait_ready(calls_before)
        return self

    async def wait_ready(self, calls_before: int = 0, timeout: float = 60.0) -> None:
        """Ready once the bot registered its commands and started asking for updates."""

        def ready() -> bool:
            recent = [c.method for c in self.server.calls[calls_before:]]
            return "setMyCommands" in recent and (
                "deleteWebhook" in recent or "getUpdates" in recent or "setWebhook" in recent
            )

        deadline = time.monotonic() + timeout
        while not ready():
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"bot exited early:\n{self.log()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"bot not ready:\n{self.log()}")
            await asyncio.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> float:
        """Send the signal; return how many seconds the bot took to exit."""
        if self.proc is None or self.proc.poll() is not None:
            return 0.0
        began = time.monotonic()
        self.proc.send_signal(sig)
        while self.proc.poll() is None:
            if time.monotonic() - began > timeout:
                self.proc.kill()
                break
            await asyncio.sleep(0.02)
        return time.monotonic() - began


class Person:
    """Someone in a private chat with the bot, pressing buttons by their labels."""

    def __init__(self, server: BotApiServer, chat_id: int | None = None, lang: str = "en"):
        self.server = server
        self.chat_id = chat_id if chat_id is not None else new_chat_id()
        self.lang = lang

    def _answers(self) -> int:
        return sum(
            1
            for c in self.server.calls
            if c.method in ("sendMessage", "editMessageText", "deleteMessages")
            and str(c.params.get("chat_id")) == str(self.chat_id)
            and not c.fault
        )

    async def _after(self, action, timeout: float = 15.0) -> StoredMessage:
        before = self._answers()
        await action()
        await self.server.wait_for(lambda: self._answers() > before, timeout=timeout)
        await self.server.wait_for(lambda: not self.server.pending_updates, timeout=timeout)
        await asyncio.sleep(0.05)
        return self.screen()

    def screen(self) -> StoredMessage:
        """The newest bot message with buttons (the current screen), else the newest one."""
        mine = [m for m in self.server.chat_messages(self.chat_id) if m.from_bot]
        with_buttons = [m for m in mine if m.inline_keyboard]
        chosen = with_buttons[-1] if with_buttons else (mine[-1] if mine else None)
        assert chosen is not None, "the bot has said nothing"
        return chosen

    def buttons(self) -> list[tuple[str, str | None]]:
        return BotApiServer.buttons(self.screen())

    async def start(self, payload: str | None = None) -> StoredMessage:
        return await self._after(
            lambda: self.server.send_command(
                self.chat_id, "/start", payload, language_code=self.lang
            )
        )

    async def command(self, command: str) -> StoredMessage:
        return await self._after(
            lambda: self.server.send_command(self.chat_id, command, language_code=self.lang)
        )

    async def say(self, text: str) -> StoredMessage:
        return await self._after(
            lambda: self.server.send_text(self.chat_id, text, language_code=self.lang)
        )

    async def share(self, lat: float, lon: float) -> StoredMessage:
        return await self._after(
            lambda: self.server.send_location(self.chat_id, lat, lon, language_code=self.lang)
        )

    async def press_data(self, data: str, message_id: int | None = None) -> StoredMessage:
        target = message_id if message_id is not None else self.screen().message_id
        return await self._after(
            lambda: self.server.press(self.chat_id, target, data, language_code=self.lang)
        )

    async def press(self, label: str) -> StoredMessage:
        for text, data in self.buttons():
            if label in text and data is not None and not data.startswith("http"):
                return await self.press_data(data)
        raise AssertionError(f"no button {label!r} in {[t for t, _ in self.buttons()]}")

    async def open(self, name: str) -> StoredMessage:
        """Press the button that opens the route `name`, whatever its label's language."""
        for _text, data in self.buttons():
            decoded = Route.decode(data)
            if decoded is not None and decoded.name == name:
                return await self.press_data(data)
        raise AssertionError(f"no button for {name!r} in {self.routes()}")

    def routes(self) -> list[Route]:
        found = []
        for _text, data in self.buttons():
            decoded = Route.decode(data)
            if decoded is not None:
                found.append(decoded)
        return found
