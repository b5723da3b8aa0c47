"""The error handler: one line with the error type and the route, nothing of the update."""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from bot.handlers.common import current_route

log = logging.getLogger("waypoint.errors")


async def log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    log.error(
        "handler failed route=%s error=%s",
        current_route.get(),
        type(error).__name__ if error is not None else "unknown",
    )
