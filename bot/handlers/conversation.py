"""One small async function per kind of update in a private chat."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.flows import router
from bot.flows.deeplink import state_from_payload
from bot.flows.routes import Route
from bot.handlers.common import current_route, runtime, session_for, show

log = logging.getLogger("waypoint.handlers")

MAX_TEXT = 200  # nobody types a town in more; longer texts are not read at all


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    current_route.set("start")
    code, session = await session_for(update, context)
    rt = runtime(context)
    payload = context.args[0] if context.args else None
    state, opening = state_from_payload(payload, session.state)
    screen = await router.navigate(opening, replace(state, trail=()), rt.deps)
    if screen.state is None and state != session.state:
        screen = screen.with_state(state)
    await show(update, context, code, session, screen)


async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help, /privacy, /language, /forget and /menu open their screens."""
    message = update.effective_message
    name = (message.text or "").split()[0].lstrip("/").split("@")[0].lower() if message else ""
    target = {"help": "helpme", "privacy": "privacy", "language": "lang", "forget": "forget"}.get(
        name, "menu"
    )
    current_route.set(f"command:{target}")
    code, session = await session_for(update, context)
    rt = runtime(context)
    if target == "forget" and rt.store is not None:
        await rt.store.forget(code)
    screen = await router.navigate(Route(target), session.state, rt.deps)
    await show(update, context, code, session, screen)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    decoded = Route.decode(query.data)
    current_route.set(f"button:{decoded.name if decoded else 'invalid'}")
    # The answer only stops the button's spinner: it travels while the screen is made and
    # sent, rather than before.
    answering = asyncio.create_task(_answer(query))
    try:
        if update.effective_chat is None:
            return  # an inline-mode press with no chat: this bot offers no inline mode
        code, session = await session_for(update, context)
        rt = runtime(context)
        if decoded is not None and decoded.name == "forget" and rt.store is not None:
            await rt.store.forget(code)
        screen = await router.navigate(decoded, session.state, rt.deps)
        # Pressing a button edits the message it belongs to: one message per screen.
        edit_id = query.message.message_id if query.message is not None else None
        await show(
            update, context, code, session, screen, edit_message_id=edit_id
        )
    finally:
        await answering


async def _answer(query: CallbackQuery) -> None:
    try:
        await query.answer()
    except TelegramError as exc:
        log.info("callback answer failed (%s)", type(exc).__name__)


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    current_route.set("text")
    code, session = await session_for(update, context)
    rt = runtime(context)
    message = update.effective_message
    typed = message.text if message is not None and message.text else ""
    if len(typed) > MAX_TEXT:
        screen = await router.open_route(Route("unreadable"), session.state, rt.deps)
    else:
        screen = router.back_from_here(
            await router.on_text(session.state, rt.deps, typed), session.state
        )
    await show(update, context, code, session, screen)


async def location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    current_route.set("location")
    code, session = await session_for(update, context)
    rt = runtime(context)
    message = update.effective_message
    place = message.location if message is not None else None
    if place is None:
        return
    screen = router.back_from_here(
        await router.on_location(session.state, rt.deps, place.latitude, place.longitude),
        session.state,
    )
    await show(update, context, code, session, screen)


async def anything_else(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, unknown commands: a kind word and the menu, nothing kept."""
    current_route.set("other")
    code, session = await session_for(update, context)
    rt = runtime(context)
    screen = await router.open_route(Route("unreadable"), session.state, rt.deps)
    await show(update, context, code, session, screen)
