"""The running bot's parts, shared by every handler through `application.bot_data`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.config import Config
from bot.exits import QuickExits
from bot.flows.deps import Deps
from bot.privacy import ChatCodes
from bot.sessions import Sessions
from bot.store import StateStore

KEY = "waypoint"


@dataclass
class Runtime:
    config: Config
    codes: ChatCodes
    deps: Deps = field(default_factory=Deps)
    sessions: Sessions = field(default_factory=Sessions)
    exits: QuickExits = field(default_factory=QuickExits)
    store: StateStore | None = None
    background: list[Any] = field(default_factory=list)
    transports: tuple[Any, ...] = ()  # bot.transport.AiohttpRequest: sending, getUpdates


def runtime_of(bot_data: dict[str, Any]) -> Runtime:
    return bot_data[KEY]
