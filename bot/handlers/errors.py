"""The error handler: one line with the error type and the route, nothing of the update.

The person is never left without an answer: a private chat whose update failed gets the
main menu with a short apology.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.flows import router
from bot.flows.routes import Route
from bot.flows.screen import Screen
from bot.handlers.common import current_route, runtime, session_for, show
from bot.i18n import translator

log = logging.getLogger("waypoint.errors")


async def log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    log.error(
        "handler failed route=%s error=%s",
        current_route.get(),
        type(error).__name__ if error is not None else "unknown",
    )
    if not isinstance(update, Update) or isinstance(error, TelegramError):
        return
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    from bot.handlers.exit import is_quick_exit

    if is_quick_exit(update) or runtime(context).exits.stale():
        return  # never the menu after a quick exit, nor for a conversation that was quit
    try:
        code, session = await session_for(update, context)
        menu = await router.open_route(Route("menu"), session.state, runtime(context).deps)
        sorry = translator(session.state.lang).gettext("Sorry, that did not work.")
        screen = Screen(
            title=menu.title, text=f"{sorry}\n\n{menu.text}", rows=menu.rows, state=menu.state
        )
        await show(update, context, code, session, screen)
    except Exception as exc:  # noqa: BLE001 - the apology itself must never raise
        log.error("fallback answer failed error=%s", type(exc).__name__)
