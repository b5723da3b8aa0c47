"""Every screen fits Telegram in every shipped language: text ≤ 4,096 characters, short labels."""

from __future__ import annotations

import pytest

from bot.content import ContentLibrary
from bot.flows import router
from bot.flows.deps import Deps
from bot.flows.routes import MAX_BYTES, Route
from bot.flows.state import State
from bot.i18n import shipped_languages

TELEGRAM_TEXT_LIMIT = 4096
LABEL_LIMIT = 40  # "about 30" shows whole on a phone; a few translations run a little over
SKIP = {"exit", "setlang", "results", "results_map", "place"}


async def walk(lang: str, country: str | None, deps: Deps, cap: int = 400):
    state = State(lang=lang, country=country)
    queue, seen = [Route("menu")], set()
    while queue and len(seen) < cap:
        r = queue.pop(0)
        if r in seen:
            continue
        seen.add(r)
        screen = await router.open_route(r, state, deps)
        yield r, screen
        for row in screen.rows:
            for button in row:
                if button.route is not None and button.route.name not in SKIP:
                    queue.append(button.route)


@pytest.mark.parametrize("lang", shipped_languages())
async def test_every_screen_fits_telegram_in_every_language(lang):
    deps = Deps(content=ContentLibrary.load())
    count = 0
    for country in ("GB", "US", "DE", None):
        async for r, screen in walk(lang, country, deps):
            count += 1
            text = f"{screen.title or ''}\n\n{screen.text}"
            assert len(text) <= TELEGRAM_TEXT_LIMIT, (lang, r)
            for row in screen.rows:
                for button in row:
                    assert 0 < len(button.label) <= LABEL_LIMIT, (lang, r, button.label)
                    if button.route is not None:
                        assert len(button.route.encode().encode()) <= MAX_BYTES
    assert count > 40
