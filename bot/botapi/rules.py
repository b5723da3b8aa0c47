"""Limits Telegram enforces that the spec's types do not express.

Each rule reads one call's decoded parameters and returns the problems Telegram would answer
with 400 Bad Request (too long a text, callback_data over 64 bytes, a button with no action…).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from bot.botapi.formatting import ParseError, visible

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_BYTES = 64
COMMANDS_LIMIT = 100
# Fields of InlineKeyboardButton that are not its action.
BUTTON_DECORATIONS = frozenset({"text", "icon_custom_emoji_id", "style"})
PARSE_MODES = frozenset({"HTML", "MarkdownV2", "Markdown"})
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"(?:[a-z]{2})?")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})
_BOT_PROFILE_LIMITS = {
    "setMyName": ("name", 64),
    "setMyDescription": ("description", 512),
    "setMyShortDescription": ("short_description", 120),
}


def _text(method: str, params: Mapping[str, Any], key: str, limit: int) -> Iterator[str]:
    raw = params.get(key)
    if not isinstance(raw, str):
        return
    mode = params.get("parse_mode")
    try:
        shown = visible(raw, mode if isinstance(mode, str) else None).text
    except ParseError as exc:
        yield str(exc)
        return
    if method in _TEXT_METHODS and key == "text" and not shown.strip():
        yield "message text is empty"
    if len(shown) > limit:
        what = "message is too long" if key == "text" else f"{key} is too long"
        yield f"{what}: {len(shown)} characters, the limit is {limit}"


def _inline_keyboard(markup: Mapping[str, Any]) -> Iterator[str]:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list):
        return
    for r, row in enumerate(rows):
        if not isinstance(row, list):
            continue
        for c, button in enumerate(row):
            if not isinstance(button, dict):
                continue
            where = f"inline button [{r}][{c}]"
            text = button.get("text")
            if not isinstance(text, str) or not text.strip():
                yield f"{where}: button text is empty"
            actions = sorted(k for k in button if k not in BUTTON_DECORATIONS)
            if len(actions) != 1:
                yield f"{where}: needs exactly one action field, has {actions or 'none'}"
            data = button.get("callback_data")
            if isinstance(data, str):
                size = len(data.encode("utf-8"))
                if not 1 <= size <= CALLBACK_DATA_BYTES:
                    yield (
                        f"{where}: BUTTON_DATA_INVALID: callback_data is {size} bytes, "
                        f"allowed 1-{CALLBACK_DATA_BYTES}"
                    )


def _reply_keyboard(markup: Mapping[str, Any]) -> Iterator[str]:
    rows = markup.get("keyboard")
    if not isinstance(rows, list):
        return
    for r, row in enumerate(rows):
        for c, button in enumerate(row if isinstance(row, list) else []):
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text.strip():
                yield f"keyboard button [{r}][{c}]: button text is empty"


def _commands(params: Mapping[str, Any]) -> Iterator[str]:
    commands = params.get("commands")
    if not isinstance(commands, list):
        return
    if len(commands) > COMMANDS_LIMIT:
        yield f"too many commands: {len(commands)}, the limit is {COMMANDS_LIMIT}"
    for i, command in enumerate(commands):
        if not isinstance(command, dict):
            continue
        name = command.get("command")
        if isinstance(name, str) and not _COMMAND.fullmatch(name):
            yield f"commands[{i}]: BOT_COMMAND_INVALID: {name!r}"
        description = command.get("description")
        if isinstance(description, str) and not 1 <= len(description) <= 256:
            yield f"commands[{i}]: description must be 1-256 characters"


def check_call(method: str, params: Mapping[str, Any], update_types: tuple[str, ...]) -> list[str]:
    """Problems Telegram would refuse in a call of `method` (its canonical name)."""
    out: list[str] = []
    mode = params.get("parse_mode")
    if mode is not None and mode not in PARSE_MODES:
        out.append(f"unsupported parse_mode {mode!r}")
    out.extend(_text(method, params, "text", TEXT_LIMIT if method != "answerCallbackQuery"
                     else CALLBACK_ANSWER_LIMIT))
    out.extend(_text(method, params, "caption", CAPTION_LIMIT))
    markup = params.get("reply_markup")
    if isinstance(markup, dict):
        out.extend(_inline_keyboard(markup))
        out.extend(_reply_keyboard(markup))
    out.extend(_commands(params))
    language = params.get("language_code")
    if isinstance(language, str) and method.endswith(("MyCommands", "MyName", "Description")) \
            and not _LANGUAGE.fullmatch(language):
        out.append(f"language_code must be two lowercase letters or empty, got {language!r}")
    for key, bound in (("latitude", 90.0), ("longitude", 180.0)):
        value = params.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > bound:
            out.append(f"wrong {key} {value}")
    if method == "sendChatAction" and params.get("action") not in CHAT_ACTIONS:
        out.append(f"wrong chat action {params.get('action')!r}")
    if method == "deleteMessages":
        ids = params.get("message_ids")
        if isinstance(ids, list) and not 1 <= len(ids) <= 100:
            out.append(f"message_ids must hold 1-100 ids, got {len(ids)}")
    if method in _BOT_PROFILE_LIMITS:
        key, limit = _BOT_PROFILE_LIMITS[method]
        value = params.get(key)
        if isinstance(value, str) and len(value) > limit:
            out.append(f"{key} is {len(value)} characters, the limit is {limit}")
    secret = params.get("secret_token")
    if method == "setWebhook" and isinstance(secret, str) and not _SECRET.fullmatch(secret):
        out.append("secret_token must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    allowed = params.get("allowed_updates")
    if isinstance(allowed, list):
        unknown = [u for u in allowed if u not in update_types]
        if unknown:
            out.append(f"allowed_updates names unknown update types {unknown}")
    return out
