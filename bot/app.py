"""The python-telegram-bot Application: handlers in one ordered place, per-chat ordering."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.config import Config
from bot.delivery import PatientRateLimiter
from bot.exits import ExitSafeBot, current_ticket
from bot.flows.deps import Deps
from bot.handlers import conversation, errors, exit, outside
from bot.handlers.routing import OutsidePrivateHandler, QuickExitHandler
from bot.i18n import SOURCE_LANG, shipped_languages, translator
from bot.privacy import ChatCodes, load_or_create_key
from bot.runtime import KEY, Runtime
from bot.store import StateStore
from bot.transport import AiohttpRequest

log = logging.getLogger("waypoint.app")

# Connections for sending: local Bot API latency is a millisecond, Telegram's tens; more
# connections than the answers in flight only cost upkeep.
SEND_CONNECTIONS = 16

# How long stopping waits for background work to unwind (a build child gets 5 s to go).
BACKGROUND_STOP_SECONDS = 6.0

# PTB's own concurrency limit, set so high it never binds (see ChatOrderedProcessor).
_OUT_OF_REACH = 1 << 30


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Different chats run concurrently; one chat's updates run in the order they came.

    Quick exit never waits: neither behind the chat's other updates nor for a free slot.

    PTB takes one of its `max_concurrent_updates` slots *before* `do_process_update`, so a
    chat's later updates would sit in slots while they wait for their turn: one person
    pressing fast while Telegram is slow could fill every slot and hold up everyone else.
    So PTB's own limit is set out of reach, and the real one is taken only once the chat's
    turn has come.
    """

    def __init__(
        self, rt: Runtime | None = None, max_concurrent_updates: int = 512
    ) -> None:
        super().__init__(_OUT_OF_REACH)
        self._rt = rt
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        rt = self._rt
        if isinstance(update, Update) and exit.is_quick_exit(update):
            # Someone may be looking over the person's shoulder: no queue. The line through
            # the conversation is drawn before anything else can run.
            chat = update.effective_chat
            if rt is not None and chat is not None:
                rt.exits.begin(rt.codes.code(chat.id), update.update_id)
                rt.exits.started(update.update_id)  # False when the webhook noted it already
            current_ticket.set(None)
            try:
                await coroutine
            finally:
                if rt is not None:
                    rt.exits.finished(update.update_id)
            return
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] += 1
        try:
            async with lock, self._slots:
                ticket = None
                if rt is not None and isinstance(update, Update):
                    ticket = rt.exits.ticket(rt.codes.code(chat.id), update.update_id)
                    if ticket is None:
                        # Typed before the person quit: it belongs to the wiped conversation.
                        _discard(coroutine)
                        return
                current_ticket.set(ticket)
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if self._users[chat.id] <= 0:
                del self._users[chat.id]
                self._locks.pop(chat.id, None)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _discard(coroutine: Awaitable[Any]) -> None:
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()


def register_handlers(app: Application) -> None:
    """Every handler, in the order that matters: quick exit first, then groups, then the rest."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    app.add_handlers(
        [
            QuickExitHandler(exit.quick_exit),
            OutsidePrivateHandler(outside.leave),
            CommandHandler("start", conversation.start, filters=private),
            CommandHandler(
                ["help", "privacy", "language", "forget", "menu"],
                conversation.command,
                filters=private,
            ),
            CallbackQueryHandler(conversation.button),
            MessageHandler(private & filters.LOCATION, conversation.location),
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, conversation.text),
            MessageHandler(private, conversation.anything_else),
        ]
    )
    app.add_error_handler(errors.log_error)


def bot_commands(lang: str) -> list[BotCommand]:
    t = translator(lang)
    return [
        BotCommand("start", t.pgettext("command", "Main menu")),
        BotCommand("exit", t.pgettext("command", "Quick exit: delete this chat")),
        BotCommand("privacy", t.pgettext("command", "What is kept and what is not")),
        BotCommand("language", t.pgettext("command", "Choose your language")),
        BotCommand("help", t.pgettext("command", "How this works")),
    ]


async def register_commands(app: Application) -> None:
    await app.bot.set_my_commands(bot_commands(SOURCE_LANG))
    for lang in shipped_languages():
        await app.bot.set_my_commands(bot_commands(lang), language_code=lang)


async def open_parts(rt: Runtime) -> None:
    """Open the state store, the directory, the content and the gazetteer."""
    from bot import parts

    rt.store = await StateStore.open(rt.config.data_dir)
    await parts.open_all(rt)


async def _post_init(app: Application) -> None:
    rt: Runtime = app.bot_data[KEY]
    await open_parts(rt)
    from bot.geo import borders

    # The country at a shared location must be known from the first update, gazetteer or not.
    await asyncio.to_thread(borders.warm_up)
    rt.background.append(asyncio.create_task(rt.sessions.keep_tidy(), name="sessions-tidy"))
    if rt.store is not None:
        rt.background.append(asyncio.create_task(rt.store.keep_tidy(), name="store-tidy"))
    await register_commands(app)
    log.info("bot ready")


async def _post_shutdown(app: Application) -> None:
    rt: Runtime = app.bot_data[KEY]
    for task in rt.background:
        task.cancel()
    if rt.background:
        # Let them unwind: a gazetteer build removes its half-written file before it goes.
        await asyncio.wait(rt.background, timeout=BACKGROUND_STOP_SECONDS)
    if rt.store is not None:
        await rt.store.close()
    from bot import parts

    await parts.close_all(rt)


def build_application(
    config: Config, token: str | None = None, *, polling: bool = True
) -> Application:
    token = token or config.token
    if not token:
        raise ValueError("a token is needed to build the application")
    key = load_or_create_key(config.data_dir, config.secret_key)
    rt = Runtime(config=config, codes=ChatCodes(key), deps=Deps(near_km=config.near_km))
    # getUpdates waits up to its long-polling timeout, plus its read timeout.
    rt.transports = (AiohttpRequest(SEND_CONNECTIONS), AiohttpRequest(1, read_timeout=15))
    bot = ExitSafeBot(
        token=token,
        base_url=config.bot_base_url,
        base_file_url=f"{config.api_base_url}/file/bot",
        request=rt.transports[0],
        get_updates_request=rt.transports[1],
        rate_limiter=PatientRateLimiter(overall_max_rate=config.max_send_rate),
    )
    bot.attach(rt.exits)
    builder = (
        Application.builder()
        .bot(bot)
        .concurrent_updates(ChatOrderedProcessor(rt))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if not polling:
        builder = builder.updater(None)  # webhook mode: bot.webhook feeds the update queue
    app = builder.build()
    app.bot_data[KEY] = rt
    register_handlers(app)
    return app


async def start_in_process(app: Application, *, polling: bool = True) -> None:
    """Bring the Application up inside a running event loop (terminal chat, webhook, bench).

    `run_polling` owns its loop; these places share one with a server, so they start the
    Application by hand, post_init included, in the order PTB's own runner uses.
    """
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    if polling:
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
        )


async def stop_in_process(app: Application) -> None:
    """The reverse of `start_in_process`; safe after a start that failed half-way."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
    await app.shutdown()
