"""What flows may consult: the directory, the gazetteer and the content library.

Any of them may be missing (still loading, or broken at start); a flow then shows what it
can without it.  Flows get this object, never a Telegram one.

Typed place names are looked up in `places`: the offline gazetteer, unless the operator
configured an online geocoder (`typed_places`).  A point's country and landmarks always come
from the offline gazetteer; country names too, and from the same names held in memory while
the gazetteer is still being built.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.flows.routes import Route
from bot.flows.screen import Screen
from bot.flows.state import State

if TYPE_CHECKING:  # pragma: no cover - typing only
    from bot.content import ContentLibrary
    from bot.directory import Directory
    from bot.geo import Gazetteer
    from bot.geo.online import Places


@dataclass
class Deps:
    directory: Directory | None = None
    gazetteer: Gazetteer | None = None
    content: ContentLibrary | None = None
    extra: dict[str, Any] | None = None
    typed_places: Places | None = None  # online lookups, only when configured
    typed_places_server: str | None = None  # and the server they go to, to tell people
    near_km: float = 150.0  # how far "near you" reaches (NEARBY_KM)

    @property
    def places(self) -> Places | None:
        """Where typed place names are looked up (None while nothing is ready)."""
        return self.typed_places if self.typed_places is not None else self.gazetteer

    async def country_by_name(self, text: str, fuzzy: bool = True) -> str | None:
        """The country a typed name means, from the first message on; None if unsure."""
        if self.gazetteer is not None:
            return await self.gazetteer.country_by_name(text, fuzzy)
        # The first build of the gazetteer takes a minute; the same names, built in memory
        # (under a second, once per process), answer meanwhile.
        from bot.geo.countries import country_names

        return (await asyncio.to_thread(country_names)).find(text, fuzzy)


# Every routed flow has this shape: the route pressed, the chat's state, and what it may consult.
Flow = Callable[[Route, State, Deps], Awaitable[Screen]]
