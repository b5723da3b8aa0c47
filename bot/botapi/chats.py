"""What the local Bot API server remembers: chats, their messages, and the calls it saw.

Values handed to tests are frozen snapshots; a chat's record changes as messages arrive,
are edited and deleted.  Message ids grow per chat and are shared by the person's and the
bot's messages, as in Telegram.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class StoredMessage:
    """One message of a chat as the server holds it.

    `text` is what the person sees (HTML already parsed); `kind` is text, venue, location,
    sticker, new_chat_members…; `payload` holds the kind's own Message fields (e.g.
    {"venue": {...}, "location": {...}}).
    """

    chat_id: int
    message_id: int
    from_bot: bool
    kind: str
    date: int
    text: str | None = None
    entities: tuple[Mapping[str, Any], ...] = ()
    reply_markup: Mapping[str, Any] | None = None
    deleted: bool = False
    edit_date: int | None = None
    user_id: int | None = None
    payload: Mapping[str, Any] = field(default_factory=lambda: EMPTY)

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard")
        return rows if isinstance(rows, list) else []


@dataclass(frozen=True)
class Call:
    """One request the bot made: canonical method name, decoded params, HTTP status answered.

    `status` is 0 for a connection the server dropped on purpose; `fault` marks injected faults.
    """

    method: str
    params: Mapping[str, Any]
    status: int
    fault: bool = False


@dataclass(frozen=True)
class AnsweredCallback:
    query_id: str
    chat_id: int
    message_id: int
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class ChatEvent:
    """Something the person would notice: a bot message sent, edited or deleted, a toast
    (callback answer), a chat action ("typing…"), or the bot leaving."""

    kind: str  # sent | edited | deleted | callback_answer | action | left
    chat_id: int
    message: StoredMessage | None = None
    text: str | None = None


@dataclass(frozen=True)
class WebhookDelivery:
    update_id: int
    status: int  # HTTP status of the receiver, 0 when it could not be reached
    error: str | None = None


@dataclass
class ChatRecord:
    """A chat's mutable state on the server."""

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    username: str | None = None
    bot_member: bool = True
    bot_admin: bool = False
    blocked: bool = False
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1

    def add(self, **fields: Any) -> StoredMessage:
        message = StoredMessage(chat_id=self.id, message_id=self.next_message_id, **fields)
        self.messages[message.message_id] = message
        self.next_message_id += 1
        return message

    def update(self, message: StoredMessage, **changes: Any) -> StoredMessage:
        changed = replace(message, **changes)
        self.messages[message.message_id] = changed
        return changed

    def api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title is not None:
            out["title"] = self.title
        if self.first_name is not None:
            out["first_name"] = self.first_name
        if self.username is not None:
            out["username"] = self.username
        return out
