"""The way back, home and out that every screen carries (safety principle 1)."""

from __future__ import annotations

from bot.flows.routes import Route
from bot.flows.screen import Button
from bot.i18n import Translator

MENU = Route("menu")
EXIT = Route("exit")


def footer(t: Translator, back: Route | None = None) -> tuple[tuple[Button, ...], ...]:
    """Back (when there is somewhere to go back to), Main menu, and Quick exit."""
    first: list[Button] = []
    if back is not None and back != MENU:
        first.append(Button(t.pgettext("button", "◀ Back"), back))
    first.append(Button(t.pgettext("button", "🏠 Main menu"), MENU))
    return (tuple(first), (Button(t.pgettext("button", "✖ Quick exit"), EXIT),))
