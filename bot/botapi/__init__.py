"""A local Telegram Bot API server: end-to-end tests and the offline terminal chat.

See `bot.botapi.server` for the driver API.
"""

from bot.botapi.chats import AnsweredCallback, Call, ChatEvent, StoredMessage, WebhookDelivery
from bot.botapi.server import BotApiServer
from bot.botapi.spec import Spec, load_spec

__all__ = [
    "AnsweredCallback",
    "BotApiServer",
    "Call",
    "ChatEvent",
    "Spec",
    "StoredMessage",
    "WebhookDelivery",
    "load_spec",
]
