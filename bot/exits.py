"""Which chats quit, and when: so nothing of an old conversation comes back after a wipe.

A quick exit draws a line through a chat's conversation.  Everything on the far side of it —
an update typed ahead and still queued, a screen still being made, a message already on its
way to Telegram, a state write — belongs to the old conversation and must not survive it.

- Each update handled for a chat carries a `Ticket`: the chat's code and the exit sequence
  number current when the update began.  A later exit makes the ticket stale; `show()` and
  every state write check it, and a message whose id comes back on a stale ticket is deleted.
- An update whose id is not newer than the exit that came after it (typed before the person
  quit) is dropped before it runs.
- Exits that have begun but not finished are known (`unfinished`), so the update that asked for
  the exit is confirmed to Telegram only once the wipe is done: a crash mid-wipe leaves it
  unconfirmed, Telegram delivers it again after a restart, and the wipe runs again.

Held in memory only and keyed by the chat's one-way code, never by a chat id.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import ExtBot

# Long enough for any update still queued or in flight when the person quit.
FORGET_MARKS_AFTER_SECONDS = 3600.0
# While an exit holds the polling offset, updates already handled come back at once.
HELD_POLL_PAUSE = 0.1


@dataclass(frozen=True)
class Ticket:
    code: str
    seq: int


@dataclass
class _Mark:
    seq: int
    through_update_id: int
    at: float


# The ticket of the update being handled in this task (set by the update processor).
current_ticket: contextvars.ContextVar[Ticket | None] = contextvars.ContextVar(
    "ticket", default=None
)


class QuickExits:
    def __init__(self) -> None:
        self._seq = itertools.count(1)
        self._now_seq = 0
        self._marks: dict[str, _Mark] = {}
        self._unfinished: dict[int, asyncio.Event] = {}
        self._wiping: dict[str, asyncio.Lock] = {}

    # -- the line through a conversation ------------------------------------------------------

    def begin(self, code: str, update_id: int | None = None) -> None:
        """Mark the chat as quit now; synchronous, so nothing can slip in before it."""
        self._now_seq = next(self._seq)
        old = self._marks.get(code)
        through = max(update_id or 0, old.through_update_id if old else 0)
        self._marks[code] = _Mark(self._now_seq, through, time.monotonic())
        self._prune()

    def ticket(self, code: str, update_id: int | None) -> Ticket | None:
        """A ticket for an update of this chat, or None when it was sent before an exit."""
        mark = self._marks.get(code)
        if mark is not None and update_id is not None and update_id <= mark.through_update_id:
            return None
        return Ticket(code, self._now_seq)

    def valid(self, ticket: Ticket | None) -> bool:
        """False once an exit of the ticket's chat began after the ticket was given."""
        if ticket is None:
            return True  # not an update's work (start-up, a timer): nothing to compare
        mark = self._marks.get(ticket.code)
        return mark is None or mark.seq <= ticket.seq

    def stale(self) -> bool:
        """True when the update handled in this task belongs to a conversation that was quit."""
        return not self.valid(current_ticket.get())

    # -- exits in progress, for confirming updates only after the wipe ----------------------

    def started(self, update_id: int) -> bool:
        """Note an exit update being handled; False if it already is (delivered twice)."""
        if update_id in self._unfinished:
            return False
        self._unfinished[update_id] = asyncio.Event()
        return True

    @contextlib.asynccontextmanager
    async def one_at_a_time(self, code: str) -> AsyncIterator[None]:
        """Exits of one chat run one after another, so the last one's wipe removes the earlier
        one's neutral line: a double tap on ✖ still leaves a single message."""
        lock = self._wiping.setdefault(code, asyncio.Lock())
        try:
            async with lock:
                yield
        finally:
            if not lock.locked() and self._wiping.get(code) is lock:
                del self._wiping[code]

    def finished(self, update_id: int) -> None:
        done = self._unfinished.pop(update_id, None)
        if done is not None:
            done.set()

    def unfinished(self) -> int | None:
        """The oldest update id of an exit still wiping, or None."""
        return min(self._unfinished) if self._unfinished else None

    async def wait(self, update_id: int) -> None:
        done = self._unfinished.get(update_id)
        if done is not None:
            await done.wait()

    def _prune(self) -> None:
        cutoff = time.monotonic() - FORGET_MARKS_AFTER_SECONDS
        for code in [c for c, m in self._marks.items() if m.at < cutoff]:
            del self._marks[code]


class ExitSafeBot(ExtBot):  # type: ignore[misc]
    """A bot that confirms an update asking for quick exit only once its wipe is done.

    Long polling confirms updates by asking for the next ones (`offset`). While an exit is
    wiping, the offset is held at its update, so if the process dies mid-wipe Telegram
    delivers that update again after the restart, and the wipe runs again. Updates that come
    back only because of the hold were handled already and are not handed out twice.
    """

    __slots__ = ("_delivered", "_exits")

    def attach(self, exits: QuickExits) -> None:
        self._exits = exits
        self._delivered = 0

    async def get_updates(  # type: ignore[override]
        self, offset: int | None = None, *args: Any, **kwargs: Any
    ) -> tuple[Update, ...]:
        exits: QuickExits | None = getattr(self, "_exits", None)
        hold = exits.unfinished() if exits is not None else None
        if hold is not None and (offset is None or offset > hold):
            offset = hold
        updates = await super().get_updates(offset, *args, **kwargs)
        delivered = getattr(self, "_delivered", 0)
        fresh = tuple(u for u in updates if u.update_id > delivered)
        if fresh:
            self._delivered = fresh[-1].update_id
        elif updates:
            await asyncio.sleep(HELD_POLL_PAUSE)  # only held ones came back: do not spin
        return fresh
