"""Benchmark the running bot: answered interactions per second, p99 latency, memory.

    python bench/updates.py --seconds 30 [--chats 100] [--offered 100] [--gazetteer DIR]

The real Application (`bot.app.build_application`) runs in this process and talks HTTP to the
local Bot API server (`bot.botapi.BotApiServer`), exactly as it would to Telegram.  The server
and the simulated people run in a child process, so that the server's own work (it checks
every call against the Bot API spec) does not share the bot's CPU, and so that `rss_mb` is
the bot's process alone.  N people each open the main menu with /start and then walk

    main menu -> Your rights -> a page -> Back (rights) -> Main menu -> ...

pressing one button at a time.  One interaction is one button press; it is answered when the
screen's message has been edited (the person sees the new screen).  Phases:

1. throughput: every person presses the next button as soon as the last one was answered
   (closed loop) for about 45 % of the run; answered interactions per second.
2. latency: presses arrive at a fixed rate, 100 per second unless `--offered` says otherwise
   (open loop), each from a person whose last screen has arrived (people wait for the screen
   before they press again), for about 45 % of the run; p50/p99 from press to edited screen.
3. baseline: a bare python-telegram-bot echo bot (one CallbackQueryHandler answering the
   query and editing the message to a short text with one button; no rate limiter, no
   per-chat ordering, as many concurrent updates as ours) in this same process against a
   fresh server, doing the same number of interactions closed-loop; `ratio` = ours / echo.

`rss_mb` is this process's resident memory (VmRSS) at the end of the Waypoint phases; the
RSS is sampled through the run (a soak: `--seconds 600`) and printed.

MAX_SEND_RATE is set high (100,000/s): with Telegram's 30 messages per second the bot would,
correctly, hold its answers back and the run would measure that limit, not the bot.

The gazetteer (place names) is not needed to walk menus, and building it takes a minute of a
CPU core in a child process, which would distort the numbers on a small machine.  Unless
`--gazetteer DIR` names a directory with a built `gazetteer.sqlite3` (copied in and opened by
the bot as in production), the build is skipped and the bot runs without typed places, as it
does while a first build is pending.

The last line is machine-readable:
`updates chats=… per_s=… p99_ms=… echo_per_s=… ratio=… rss_mb=…`
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.app import start_in_process, stop_in_process  # noqa: E402
from bot.botapi import BotApiServer, ChatEvent  # noqa: E402
from bot.config import Config, load  # noqa: E402
from bot.flows.routes import Route  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OFFERED_PER_S = 100.0
FIRST_CHAT = 900_000_001
ECHO_WALK = ("again", "more")  # alternated, so that every edit changes the message
WARM_UP_SECONDS = 2.0


def rss_mb() -> float:
    """The process's resident memory now (VmRSS), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def cpu_pressure() -> str:
    """How much other work competed for the CPU lately (Linux PSI), to judge the numbers."""
    try:
        with open("/proc/pressure/cpu", encoding="ascii") as pressure:
            some = pressure.readline().split()
    except OSError:
        return "CPU pressure unknown"
    return "CPU pressure " + " ".join(part for part in some[1:3])


# --- the people's side (child process) --------------------------------------------------


class Screens:
    """Pairs each press with the bot's answer the person then sees (a sent or edited message).

    A person presses again only after the last screen arrived, so one chat has at most one
    press waiting.
    """

    def __init__(self, server: BotApiServer) -> None:
        self._waiting: dict[int, tuple[float, asyncio.Future[float]]] = {}
        self.unexpected = 0
        server.add_listener(self._on_event)

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = (time.perf_counter(), future)
        return future

    def busy(self, chat_id: int) -> bool:
        return chat_id in self._waiting

    def _on_event(self, event: ChatEvent) -> None:
        if event.kind not in ("sent", "edited"):
            return
        waiting = self._waiting.pop(event.chat_id, None)
        if waiting is None:
            self.unexpected += 1
            return
        began, future = waiting
        if not future.done():
            future.set_result(time.perf_counter() - began)


@dataclass
class Person:
    chat_id: int
    message_id: int = 0
    step: int = 0


@dataclass
class Crowd:
    server: BotApiServer
    screens: Screens
    people: list[Person] = field(default_factory=list)
    walk: tuple[str, ...] = ()

    async def open(self, chats: int) -> None:
        self.people = [Person(FIRST_CHAT + i) for i in range(chats)]
        waits = []
        for person in self.people:
            waits.append(self.screens.expect(person.chat_id))
            await self.server.send_command(person.chat_id, "/start")
        await asyncio.wait_for(asyncio.gather(*waits), timeout=120)
        for person in self.people:
            screen = self.server.last_bot_message(person.chat_id)
            assert screen is not None
            person.message_id = screen.message_id

    async def press(self, person: Person, data: str) -> asyncio.Future[float]:
        answered = self.screens.expect(person.chat_id)
        await self.server.press(person.chat_id, person.message_id, data)
        return answered

    async def discover_walk(self) -> None:
        """main menu -> rights -> first page -> back -> main menu, as callback data."""
        person = self.people[0]

        def button_for(name: str, label_mark: str = "") -> str:
            screen = self.server.message(person.chat_id, person.message_id)
            for text, data in BotApiServer.buttons(screen):
                decoded = Route.decode(data)
                if decoded is not None and decoded.name == name and label_mark in text:
                    return data or ""
            raise RuntimeError(f"no {name!r} button in {BotApiServer.buttons(screen)}")

        walk: list[str] = []
        for name, mark in (("rights", ""), ("page", ""), ("rights", "◀"), ("menu", "")):
            walk.append(button_for(name, mark))
            await asyncio.wait_for(await self.press(person, walk[-1]), timeout=30)
        self.walk = tuple(walk)

    def next_data(self, person: Person) -> str:
        data = self.walk[person.step % len(self.walk)]
        person.step += 1
        return data

    async def closed_loop(
        self, *, seconds: float | None = None, interactions: int | None = None
    ) -> tuple[int, float]:
        """Everyone presses again as soon as answered; until `seconds` or `interactions`."""
        done = 0
        began = time.perf_counter()
        deadline = began + seconds if seconds is not None else float("inf")
        budget = itertools.count() if interactions is None else iter(range(interactions))

        async def one(person: Person) -> None:
            nonlocal done
            while time.perf_counter() < deadline and next(budget, None) is not None:
                answered = await self.press(person, self.next_data(person))
                await asyncio.wait_for(answered, timeout=60)
                done += 1

        await asyncio.gather(*(one(p) for p in self.people))
        return done, time.perf_counter() - began

    async def open_loop(self, seconds: float, per_s: float = OFFERED_PER_S) -> dict[str, Any]:
        """Presses at a fixed rate whatever the bot does; latency of each (ms)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        answers: list[asyncio.Future[float]] = []
        skipped = 0
        turn = itertools.cycle(self.people)
        for i in range(max(1, int(seconds * per_s))):
            pause = start + i / per_s - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)
            for _ in range(len(self.people)):
                person = next(turn)
                if not self.screens.busy(person.chat_id):
                    answers.append(await self.press(person, self.next_data(person)))
                    break
            else:
                skipped += 1  # everyone is still waiting for a screen: the bot is saturated
        latencies = await asyncio.wait_for(asyncio.gather(*answers), timeout=120)
        ms = [x * 1000 for x in latencies]
        return {
            "presses": len(ms),
            "skipped": skipped,
            "p50_ms": percentile(ms, 0.50),
            "p99_ms": percentile(ms, 0.99),
            "max_ms": max(ms),
            "offered_s": loop.time() - start,
        }


async def prune_bookkeeping(server: BotApiServer) -> None:
    """Keep the test server's records from growing in a long run (they are not needed)."""
    while True:
        await asyncio.sleep(1.0)
        server.calls.clear()
        server.answered_callbacks.clear()
        queries = server._queries  # noqa: SLF001 - the server offers no public pruning
        for query_id in [q for q, v in queries.items() if v.answered]:
            del queries[query_id]


async def _people(
    conn: Connection, chats: int, phase: float, echo: bool, offered: float
) -> None:
    loop = asyncio.get_running_loop()

    async def receive() -> Any:
        return await loop.run_in_executor(None, conn.recv)

    server = BotApiServer()
    await server.start()
    pruning = asyncio.create_task(prune_bookkeeping(server))
    try:
        conn.send({"root": server.root, "token": server.token})
        order = await receive()  # the bot is polling; how many interactions (echo) or None
        crowd = Crowd(server, Screens(server))
        await crowd.open(chats)
        if echo:
            crowd.walk = ECHO_WALK
        else:
            await crowd.discover_walk()
        await crowd.closed_loop(seconds=min(WARM_UP_SECONDS, phase))
        conn.send({"warm": True, "walk": crowd.walk})
        if order["interactions"] is None:
            done, took = await crowd.closed_loop(seconds=phase)
        else:
            done, took = await crowd.closed_loop(interactions=order["interactions"])
        conn.send({"interactions": done, "seconds": took})
        # The echo bot's latency is context only: a shorter open loop keeps a soak short.
        latency = await crowd.open_loop(min(phase, 20.0) if echo else phase, offered)
        conn.send(
            {
                **latency,
                "unexpected": crowd.screens.unexpected,
                "violations": list(server.violations[:5]),
                "violation_count": len(server.violations),
            }
        )
        await receive()  # the bot has stopped
    finally:
        pruning.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pruning
        await server.stop()


def people_process(
    conn: Connection, chats: int, phase: float, echo: bool, offered: float
) -> None:
    asyncio.run(_people(conn, chats, phase, echo, offered))


# --- the bot's side (this process) --------------------------------------------------------


def bot_config(root: str, token: str, data_dir: Path) -> Config:
    return load(
        {
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": root,
            "BOT_DATA_DIR": str(data_dir),
            "RESOURCES_CSV": str(ROOT / "resources.csv"),
            "MAX_SEND_RATE": "100000",
            "LOG_LEVEL": "WARNING",
        }
    )


async def skip_gazetteer_build(data_dir: Path) -> None:
    """Stands in for bot.geo.build.ensure_built: walking menus needs no place names."""
    return None


def echo_application(root: str, token: str) -> Application:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]])

    async def on_button(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"You pressed {query.data}.", reply_markup=keyboard)

    async def on_message(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Hello.", reply_markup=keyboard)

    app = (
        Application.builder()
        .token(token)
        .base_url(f"{root}/bot")
        .concurrent_updates(512)  # as many in flight as ours, so that only the work differs
        .build()
    )
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.ALL, on_message))
    return app


@dataclass
class Run:
    interactions: int = 0
    per_s: float = 0.0
    latency: dict[str, Any] = field(default_factory=dict)
    rss_warm_mb: float = 0.0
    rss_end_mb: float = 0.0
    cpu_ms: float = 0.0  # this process's CPU time per interaction in the closed loop
    memory: list[tuple[float, float]] = field(default_factory=list)


async def sample_memory(every: float, out: list[tuple[float, float]]) -> None:
    began = time.perf_counter()
    while True:
        out.append((time.perf_counter() - began, rss_mb()))
        await asyncio.sleep(every)


async def measure(
    make_app: Any,
    chats: int,
    phase: float,
    interactions: int | None,
    label: str,
    offered: float,
) -> Run:
    """Start the people's process, run `make_app(root, token)` against it, collect the run."""
    loop = asyncio.get_running_loop()
    here, there = multiprocessing.get_context("spawn").Pipe()
    child = multiprocessing.get_context("spawn").Process(
        target=people_process,
        args=(there, chats, phase, interactions is not None, offered),
        daemon=True,
    )
    child.start()

    async def receive() -> Any:
        if not await loop.run_in_executor(None, here.poll, 600):
            raise TimeoutError("the people's process went quiet")
        return here.recv()

    run = Run()
    sampler: asyncio.Task[None] | None = None
    try:
        where = await receive()
        app = make_app(where["root"], where["token"])
        await start_in_process(app)
        try:
            ready = app.bot_data.get("waypoint")
            if ready is not None:  # ours: the background gazetteer task must have settled
                event = ready.deps.extra.get("gazetteer_ready")
                if event is not None:
                    await asyncio.wait_for(event.wait(), timeout=600)
            here.send({"interactions": interactions})
            warm = await receive()
            if interactions is None:
                print(f"walk: {' -> '.join(warm['walk'])}", flush=True)
            run.rss_warm_mb = rss_mb()
            sampler = asyncio.create_task(sample_memory(max(1.0, phase / 10), run.memory))
            cpu = time.process_time()
            closed = await receive()
            run.interactions = closed["interactions"]
            run.per_s = closed["interactions"] / closed["seconds"]
            run.cpu_ms = (time.process_time() - cpu) * 1000 / max(1, run.interactions)
            print(
                f"{label}: {run.interactions} interactions in {closed['seconds']:.1f} s "
                f"= {run.per_s:.0f}/s; the bot's process used {run.cpu_ms:.1f} ms of CPU "
                f"per interaction; {cpu_pressure()}",
                flush=True,
            )
            run.latency = await receive()
            lat = run.latency
            print(
                f"{label} at {offered:.0f}/s offered: {lat['presses']} presses in "
                f"{lat['offered_s']:.1f} s (skipped {lat['skipped']}), "
                f"p50={lat['p50_ms']:.1f} ms p99={lat['p99_ms']:.1f} ms "
                f"max={lat['max_ms']:.1f} ms; Bot API violations: {lat['violation_count']}"
                + (f" {lat['violations']}" if lat["violations"] else ""),
                flush=True,
            )
            run.rss_end_mb = rss_mb()
        finally:
            if sampler is not None:
                sampler.cancel()
            await stop_in_process(app)
        here.send({"stop": True})
    finally:
        child.join(timeout=30)
        if child.is_alive():
            child.terminate()
    return run


async def bench(
    seconds: float, chats: int, gazetteer: Path | None, offered: float = OFFERED_PER_S
) -> tuple[Run, Run]:
    from bot.app import build_application
    from bot.geo import build as geo_build
    from bot.i18n import compile_catalogs
    from bot.privacy import setup_logging

    setup_logging(logging.WARNING)
    compile_catalogs()
    phase = max(1.0, seconds * 0.45)
    with tempfile.TemporaryDirectory(prefix="waypoint-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        if gazetteer is not None:
            shutil.copy2(gazetteer / "gazetteer.sqlite3", data_dir / "gazetteer.sqlite3")
        else:
            geo_build.ensure_built = skip_gazetteer_build  # bot.parts imports it when it runs
        ours = await measure(
            lambda root, token: build_application(bot_config(root, token, data_dir)),
            chats, phase, None, "ours", offered,
        )
    echo = await measure(echo_application, chats, phase, ours.interactions, "echo", offered)
    if ours.memory:
        shown = " ".join(f"{t:.0f}s:{mb:.0f}" for t, mb in ours.memory)
        print(f"ours rss samples (s:MB): {shown}")
    print(
        f"rss: after warm-up={ours.rss_warm_mb:.1f} MB end={ours.rss_end_mb:.1f} MB "
        f"(echo: {echo.rss_end_mb:.1f} MB); peak of the process "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB"
    )
    return ours, echo


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the run")
    parser.add_argument("--chats", type=int, default=100, help="simulated people")
    parser.add_argument(
        "--gazetteer", type=Path, default=None,
        help="a directory holding a built gazetteer.sqlite3 to open (default: skip it)",
    )
    parser.add_argument(
        "--offered", type=float, default=OFFERED_PER_S,
        help="presses per second in the latency phase (default 100)",
    )
    args = parser.parse_args(argv)
    if args.chats < 1 or args.seconds <= 0 or args.offered <= 0:
        parser.error("--chats, --seconds and --offered must be positive")
    ours, echo = asyncio.run(bench(args.seconds, args.chats, args.gazetteer, args.offered))
    ratio = ours.per_s / echo.per_s if echo.per_s else float("nan")
    print(
        f"updates chats={args.chats} per_s={ours.per_s:.0f} "
        f"p99_ms={ours.latency.get('p99_ms', float('nan')):.1f} "
        f"echo_per_s={echo.per_s:.0f} ratio={ratio:.2f} rss_mb={ours.rss_end_mb:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
