"""What a flow hands back: a Screen is one message's worth of text, buttons and pins.

Flows know nothing of Telegram; `bot/handlers/render.py` turns a Screen into Bot API calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.flows.routes import Route
from bot.flows.state import State


@dataclass(frozen=True)
class Button:
    """A button that opens a route (callback) or, rarely, a web link."""

    label: str
    route: Route | None = None
    url: str | None = None


@dataclass(frozen=True)
class Venue:
    """A map pin sent as its own message ("show on map")."""

    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True)
class Screen:
    """One screen: a short plain-text body under an optional bold title.

    `text` and `title` are plain text; the renderer escapes them.  `state`, when set,
    is the chat's state after this screen (a changed language, country, or what the
    next typed text means); None keeps the state as it was.
    """

    text: str
    title: str | None = None
    rows: tuple[tuple[Button, ...], ...] = ()
    venues: tuple[Venue, ...] = ()
    state: State | None = None
    # Extra screens sent after this one as new messages (e.g. a results list after
    # "one moment").  Rarely used; most flows return a single screen.
    follow_ups: tuple[Screen, ...] = field(default=())

    def with_rows(self, *rows: tuple[Button, ...]) -> Screen:
        return replace(self, rows=self.rows + tuple(r for r in rows if r))

    def with_state(self, state: State) -> Screen:
        return replace(self, state=state)
