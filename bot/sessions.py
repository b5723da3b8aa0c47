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
# A shared or typed point is kept only as long as "more results" and the filters need it.
POINT_SECONDS = 15 * 60
TIDY_EVERY_SECONDS = 60.0


@dataclass
class Session:
    state: State = field(default_factory=State)
    loaded: bool = False  # the stored language/country have been read
    screen_message_id: int | None = None
    message_ids: deque[int] = field(default_factory=lambda: deque(maxlen=MAX_REMEMBERED_IDS))
    highest_message_id: int = 0
    last_seen: float = field(default_factory=time.monotonic)
    auto_wipe_task: asyncio.Task[None] | None = None
    point_at: float | None = None  # when state.point was set

    def took(self, state: State) -> None:
        """Adopt a screen's state, noting when a new point arrived."""
        if state.point is not None and state.point != self.state.point:
            self.point_at = time.monotonic()
        self.state = state

    def drop_old_point(self, now: float | None = None) -> None:
        if self.state.point is None:
            return
        now = time.monotonic() if now is None else now
        if self.point_at is None or now - self.point_at >= POINT_SECONDS:
            self.state = self.state.with_point(None)
            self.point_at = None

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
            session = self._by_code[code] = Session()
        session.drop_old_point()
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

    def prune(self, now: float | None = None) -> int:
        """Drop idle chats and points past their time; the number of chats dropped."""
        now = time.monotonic() if now is None else now
        cutoff = now - IDLE_SECONDS
        idle = [c for c, s in self._by_code.items() if s.last_seen < cutoff]
        for code in idle:
            self._by_code.pop(code, None)
        for session in self._by_code.values():
            session.drop_old_point(now)
        return len(idle)

    async def keep_tidy(self, every: float = TIDY_EVERY_SECONDS) -> None:
        """Prune on a timer, so a point expires even when no new chat arrives."""
        while True:
            await asyncio.sleep(every)
            self.prune()
