"""The glue every handler shares: finding the chat's session and showing a Screen."""

from __future__ import annotations

import contextvars
import functools
import html
import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.flows.screen import Button, Screen
from bot.flows.state import State
from bot.i18n import isolate_ltr_runs, negotiate
from bot.runtime import Runtime, runtime_of
from bot.sessions import Session

log = logging.getLogger("waypoint.handlers")

# The route being handled, for the error handler's one log line.
current_route: contextvars.ContextVar[str] = contextvars.ContextVar("route", default="-")

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def runtime(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    return runtime_of(context.application.bot_data)


async def session_for(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, Session]:
    """The chat's one-way code and in-memory session, with the kept language/country loaded."""
    rt = runtime(context)
    chat = update.effective_chat
    assert chat is not None
    code = rt.codes.code(chat.id)
    session = rt.sessions.get(code)
    if not session.loaded:
        session.loaded = True
        kept = await rt.store.get(code) if rt.store is not None else None
        state = State()
        if kept is not None:
            if kept.lang:
                state = state.with_lang(kept.lang)
            state = state.with_country(kept.country)
        if not state.lang_chosen:
            user = update.effective_user
            state = State(lang=negotiate(user.language_code if user else None),
                          country=state.country)
        session.state = state
    message = update.effective_message
    if message is not None:
        session.saw(message.message_id)
    return code, session


def render_text(screen: Screen, lang: str = "en") -> str:
    body = html.escape(isolate_ltr_runs(screen.text, lang), quote=False)
    if screen.title:
        title = html.escape(isolate_ltr_runs(screen.title, lang), quote=False)
        return f"<b>{title}</b>\n\n{body}"
    return body


def render_markup(screen: Screen) -> InlineKeyboardMarkup | None:
    return _markup(screen.rows)


# The same few keyboards (menus, Back/Main menu/Quick exit) are sent again and again; PTB's
# keyboards are immutable, so one built once can be sent to everyone.
@functools.lru_cache(maxsize=1024)
def _markup(screen_rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    rows = []
    for row in screen_rows:
        buttons = []
        for b in row:
            if b.url:
                buttons.append(InlineKeyboardButton(b.label, url=b.url))
            elif b.route is not None:
                buttons.append(InlineKeyboardButton(b.label, callback_data=b.route.encode()))
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


async def adopt_state(rt: Runtime, code: str, session: Session, new: State | None) -> None:
    """Take the screen's state; write language/country down only when they changed.

    Never for a conversation that was quit meanwhile; and a write that raced an exit is
    undone, so the forgotten country cannot come back.
    """
    if new is None or rt.exits.stale():
        return
    old = session.state
    session.took(new)
    if rt.store is None:
        return
    keep_lang = new.lang if new.lang_chosen else None
    old_lang = old.lang if old.lang_chosen else None
    if (keep_lang, new.country) != (old_lang, old.country):
        if keep_lang is None and new.country is None:
            await rt.store.forget(code)
        else:
            await rt.store.put(code, keep_lang, new.country)
            if rt.exits.stale():
                await rt.store.forget(code)


async def _undo_if_stale(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int) -> bool:
    """Delete a message that was in flight when the person quit; True if it was."""
    if not runtime(context).exits.stale():
        return False
    try:
        await context.bot.delete_message(chat_id=chat_id, message_id=message_id)
    except TelegramError as exc:
        log.info("late message not deleted (%s)", type(exc).__name__)
    return True


async def show(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    code: str,
    session: Session,
    screen: Screen,
    *,
    edit_message_id: int | None = None,
) -> None:
    """Send the screen (or edit the message that showed the last one) and its map pins.

    Nothing of a conversation the person quit is shown: the check is made before each call,
    and a message that was already on its way is deleted as soon as its id comes back.
    """
    rt = runtime(context)
    if rt.exits.stale():
        return
    await adopt_state(rt, code, session, screen.state)
    chat = update.effective_chat
    assert chat is not None
    text = render_text(screen, session.state.lang)
    markup = render_markup(screen)
    sent_id: int | None = None
    if edit_message_id is not None:
        try:
            await context.bot.edit_message_text(
                chat_id=chat.id,
                message_id=edit_message_id,
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
            )
            sent_id = edit_message_id
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                sent_id = edit_message_id
            else:
                log.info("edit refused (%s); sending a new message", type(exc).__name__)
    if sent_id is None:
        if rt.exits.stale():
            return
        message = await context.bot.send_message(
            chat_id=chat.id,
            text=text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=NO_PREVIEW,
        )
        sent_id = message.message_id
        if await _undo_if_stale(context, chat.id, sent_id):
            return
    if rt.exits.stale():
        return
    session.screen_message_id = sent_id
    session.saw(sent_id)
    # Every answer follows something the person did: the silence starts again now.
    from bot.handlers.exit import arm_auto_wipe

    arm_auto_wipe(context.bot, rt, chat.id, session)
    for venue in screen.venues:
        if rt.exits.stale():
            return
        pin = await context.bot.send_venue(
            chat_id=chat.id,
            latitude=venue.latitude,
            longitude=venue.longitude,
            title=venue.title[:100],
            address=venue.address[:100] or venue.title[:100],
        )
        if await _undo_if_stale(context, chat.id, pin.message_id):
            return
        session.saw(pin.message_id)
    for follow_up in screen.follow_ups:
        await show(update, context, code, session, follow_up)
