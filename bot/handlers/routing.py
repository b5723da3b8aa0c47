"""Handlers that pick updates by what they are rather than by filters."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from bot.handlers.exit import is_quick_exit


class QuickExitHandler(BaseHandler[Update, Any, None]):
    """Matches /exit, the quick-exit button and the exit word in every shipped language."""

    def check_update(self, update: object) -> bool:
        return isinstance(update, Update) and is_quick_exit(update)


class OutsidePrivateHandler(BaseHandler[Update, Any, None]):
    """Matches anything from a group, a supergroup or a channel, including being added."""

    def check_update(self, update: object) -> bool:
        if not isinstance(update, Update):
            return False
        chat = update.effective_chat
        return chat is not None and chat.type != "private"
