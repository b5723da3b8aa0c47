"""What the running bot remembers about a chat, in memory only.

Keyed by the chat's one-way code.  Holds the flow state, the id of the message that shows
the current screen (so a button press edits it), and the ids of recent messages (so quick
exit can delete them).  A chat untouched for a day is dropped.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field

from bot.flows.state import State

IDLE_SECONDS = 24 * 3600
MAX_REMEMBERED_IDS = 500


@dataclass
class Session:
    state: State = field(default_factory=State)
    loaded: bool = False  # the stored language/country have been read
    screen_message_id: int | None = None
    message_ids: deque[int] = field(default_factory=lambda: deque(maxlen=MAX_REMEMBERED_IDS))
    highest_message_id: int = 0
    last_seen: float = field(default_factory=time.monotonic)
    auto_wipe: asyncio.TimerHandle | None = None
    auto_wipe_task: asyncio.Task[None] | None = None

    def saw(self, message_id: int | None) -> None:
        if message_id is None:
            return
        self.message_ids.append(message_id)
        self.highest_message_id = max(self.highest_message_id, message_id)
        self.last_seen = time.monotonic()


class Sessions:
    def __init__(self) -> None:
        self._by_code: dict[str, Session] = {}

    def get(self, code: str) -> Session:
        session = self._by_code.get(code)
        if session is None:
            self._prune()
            session = self._by_code[code] = Session()
        session.last_seen = time.monotonic()
        return session

    def peek(self, code: str) -> Session | None:
        return self._by_code.get(code)

    def replace(self, code: str, session: Session) -> None:
        self._by_code[code] = session

    def drop(self, code: str) -> Session | None:
        return self._by_code.pop(code, None)

    def __len__(self) -> int:
        return len(self._by_code)

    def _prune(self) -> None:
        cutoff = time.monotonic() - IDLE_SECONDS
        for code in [c for c, s in self._by_code.items() if s.last_seen < cutoff]:
            self._by_code.pop(code, None)
