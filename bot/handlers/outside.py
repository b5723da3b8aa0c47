"""Groups and channels: say nothing of the subject, and leave."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.handlers.common import current_route

log = logging.getLogger("waypoint.handlers")

NEUTRAL = "I only work in private chats."


async def leave(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    current_route.set("outside")
    chat = update.effective_chat
    if chat is None or chat.type == "private":
        return
    try:
        if chat.type in ("group", "supergroup") and update.message is not None:
            await context.bot.send_message(chat_id=chat.id, text=NEUTRAL)
        await context.bot.leave_chat(chat_id=chat.id)
    except TelegramError as exc:
        log.info("leaving a non-private chat failed (%s)", type(exc).__name__)
    log.info("left a non-private chat")
    raise ApplicationHandlerStop
