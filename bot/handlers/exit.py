"""Quick exit: delete what Telegram still lets us delete, forget the chat, leave one harmless line.

Message ids are not kept on disk, so after a restart the bot knows none of them.  Telegram's
message ids in a private chat count up by one for every message from either side, so the bot
sweeps back from the newest id it can see, in batches of 100, over a bounded window
(`SWEEP_BACK`), and a little forward (`SWEEP_AHEAD`) for messages sent after the one pressed.
Ids that no longer exist, or are older than Telegram's 48 hours, are skipped by Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import unicodedata
from functools import lru_cache

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.flows.nav import EXIT
from bot.flows.routes import Route
from bot.flows.state import State
from bot.handlers.common import runtime
from bot.i18n import shipped_languages, translator
from bot.runtime import Runtime
from bot.sessions import Session

log = logging.getLogger("waypoint.exit")

# A person rarely has more than a few hundred messages in 48 hours; 1,000 ids back covers a
# long conversation while costing only ten calls.
SWEEP_BACK = 1000
SWEEP_AHEAD = 100
BATCH = 100
PARALLEL_BATCHES = 4
DEFAULT_EXIT_MESSAGE = "👍"
AUTO_WIPE_SECONDS = 30 * 60


EXIT_COMMANDS = ("/exit", "/stop")


@lru_cache(maxsize=1)
def exit_words() -> frozenset[str]:
    """Every language's words for leaving, accepted from everyone (people mix languages)."""
    words = {"exit", "quit"}
    for lang in shipped_languages():
        # Translators: the words a person types alone to quit at once, separated by |: the
        # verb and the noun of the Quick exit button. Never a greeting or an everyday reply
        # in any language (it deletes the chat); tests/data/common_replies.csv lists those.
        listed = translator(lang).pgettext("exit words", "exit|quit")
        words.update(normalise(w) for w in listed.split("|") if w.strip())
    return frozenset(words)


def normalise(text: str) -> str:
    """Case-folded, without accents: "Ieșire", "iesire" and "IEȘIRE!" are the same word."""
    folded = unicodedata.normalize("NFKD", text.strip().strip(".!¡¿?").casefold())
    return unicodedata.normalize("NFC", "".join(c for c in folded if not unicodedata.combining(c)))


def is_quick_exit(update: Update) -> bool:
    """True for /exit, the quick-exit button and the exit word, in a private chat."""
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return False
    if update.callback_query is not None:
        return Route.decode(update.callback_query.data) == EXIT
    message = update.message
    if message is None or not message.text or len(message.text) > 40:
        return False
    text = message.text.strip()
    if text.split("@")[0].casefold() in EXIT_COMMANDS:
        return True
    return normalise(text) in exit_words()


def sweep_ids(newest: int, remembered: set[int]) -> list[int]:
    """The ids to delete, newest first: the window around `newest` plus remembered ids."""
    low = max(1, newest - SWEEP_BACK)
    ids = set(range(low, newest + SWEEP_AHEAD + 1)) | remembered
    return sorted((i for i in ids if i > 0), reverse=True)


async def wipe(bot: Bot, chat_id: int, ids: list[int]) -> int:
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    failures = 0
    gate = asyncio.Semaphore(PARALLEL_BATCHES)

    async def delete(batch: list[int]) -> None:
        nonlocal failures
        async with gate:
            try:
                await bot.delete_messages(chat_id=chat_id, message_ids=batch)
            except TelegramError as exc:
                failures += 1
                log.info("delete batch failed (%s)", type(exc).__name__)

    await asyncio.gather(*(delete(b) for b in batches))
    return len(batches) - failures


async def clear_chat(
    bot: Bot, rt: Runtime, chat_id: int, newest_hint: int = 0, update_id: int | None = None
) -> None:
    """Delete the chat's messages, forget the chat (memory and store), leave the neutral line.

    Fails closed: the deletion comes first and runs whatever else is broken; a store that
    cannot forget (a full disk, say) is logged by type and never turns the exit into an
    error screen.
    """
    code = rt.codes.code(chat_id)
    # The line through the conversation, before the first await: nothing queued or in flight
    # for the old conversation may show or write anything from here on.
    rt.exits.begin(code, update_id)
    async with rt.exits.one_at_a_time(code):
        await _clear(bot, rt, chat_id, code, newest_hint)


async def _clear(bot: Bot, rt: Runtime, chat_id: int, code: str, newest_hint: int) -> None:
    session = rt.sessions.peek(code) or Session()
    newest = max(newest_hint, session.highest_message_id)
    remembered = set(session.message_ids)
    task = session.auto_wipe_task
    if task is not None and task is not asyncio.current_task():
        task.cancel()
    fresh = Session(state=State(), loaded=False)
    rt.sessions.replace(code, fresh)
    await wipe(bot, chat_id, sweep_ids(newest, remembered))
    log.info("chat cleared")
    if rt.store is not None:
        try:
            await rt.store.forget(code)
        except Exception as exc:  # noqa: BLE001 - the person's exit must not fail on it
            log.error("forget failed at exit (%s)", type(exc).__name__)
    message = rt.config.exit_message
    if message is None:
        message = DEFAULT_EXIT_MESSAGE
    if message:
        try:
            sent = await bot.send_message(chat_id=chat_id, text=message)
        except TelegramError as exc:
            log.info("exit line not sent (%s)", type(exc).__name__)
        else:
            fresh.saw(sent.message_id)


async def quick_exit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    newest = 0
    if update.effective_message is not None:
        newest = update.effective_message.message_id
    await clear_chat(context.bot, runtime(context), chat.id, newest, update.update_id)


def arm_auto_wipe(bot: Bot, rt: Runtime, chat_id: int, session: Session) -> None:
    """(Re)start the silence timer of a chat that asked to be wiped after 30 minutes.

    Held in memory only: a restart of the service cancels it, as the privacy page says.
    """
    if session.auto_wipe_task is not None:
        session.auto_wipe_task.cancel()
        session.auto_wipe_task = None
    if not session.state.auto_wipe:
        return

    async def later() -> None:
        await asyncio.sleep(AUTO_WIPE_SECONDS)
        await clear_chat(bot, rt, chat_id)

    session.auto_wipe_task = asyncio.get_running_loop().create_task(later())
