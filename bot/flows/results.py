"""The nearest services to a point, as one screen: what they are, how far, how to reach them.

The point itself comes in as parameters and goes nowhere else: routes carry only a category
and a page number, so nothing about where a person is ends up in a button or on disk.
"""

from __future__ import annotations

from dataclasses import replace

from babel import Locale, UnknownLocaleError
from babel.units import format_unit

from bot.directory import CATEGORIES, Directory, Nearby, Service
from bot.flows import nav
from bot.flows.routes import Route, route
from bot.flows.screen import Button, Screen, Venue
from bot.flows.service_card import (
    contact_line,
    eligibility_line,
    emergency_line,
    freshness,
    hours_text,
)
from bot.flows.state import State
from bot.i18n import Translator

__all__ = [
    "CATEGORIES",
    "NEAR_KM",
    "own_country_first",
    "PAGE_SIZE",
    "RESULTS",
    "RESULTS_MAP",
    "category_label",
    "parse_results_route",
    "results_screen",
]

RESULTS = "results"
RESULTS_MAP = "results_map"
ALL = "all"
PAGE_SIZE = 5
# Services further than this are not "near"; the national lines still are. NEARBY_KM sets it.
NEAR_KM = 150.0
# How many services within reach are read before the person's own country is put first.
_CANDIDATES = 60
MAX_TEXT = 4096
_MILES = frozenset({"US", "GB", "LR", "MM"})
_KM_PER_MILE = 1.609344
FILTERS = tuple(c for c in CATEGORIES if c != "emergency")


def category_label(t: Translator, category: str) -> str:
    labels = {
        "emergency": t.pgettext("category", "Emergency services"),
        "hotline": t.pgettext("category", "Helpline"),
        "shelter": t.pgettext("category", "Shelter"),
        "legal": t.pgettext("category", "Legal help"),
        "medical": t.pgettext("category", "Medical care"),
        "counselling": t.pgettext("category", "Counselling"),
        "immigration": t.pgettext("category", "Immigration"),
        "labour": t.pgettext("category", "Work and wages"),
        "restorative_justice": t.pgettext("category", "Restorative justice"),
        "general_support": t.pgettext("category", "General support"),
    }
    return labels.get(category, category)


def parse_results_route(r: Route) -> tuple[tuple[str, ...], int]:
    """(categories, page) from a results route; anything odd becomes (all, first page)."""
    category = r.arg(0, ALL)
    categories = (category,) if category in CATEGORIES else ()
    page_text = r.arg(1, "0")
    page = int(page_text) if page_text.isdigit() else 0
    return categories, min(page, 50)


async def results_screen(
    directory: Directory,
    t: Translator,
    state: State,
    lat: float,
    lon: float,
    categories: tuple[str, ...] = (),
    page: int = 0,
    *,
    show_map: bool = False,
    back: Route | None = None,
    near_km: float = NEAR_KM,
    place_country: str | None = None,
) -> Screen:
    """Services near (lat, lon), then the national lines and the emergency number.

    Near means near: only services within `near_km`, the person's own country first; a
    service across a border only when it is closer than any at home, labelled with its
    country. The national lines and the emergency number are those of the person's country.
    """
    categories = tuple(c for c in categories if c in CATEGORIES)
    page = max(page, 0)
    found = await directory.nearest(
        lat,
        lon,
        categories=categories or None,
        k=_CANDIDATES,
        country=state.country,
        max_km=near_km,
    )
    country = state.country or found.country
    ordered = own_country_first(found.local, country)
    start = page * PAGE_SIZE
    nearby = replace(
        found,
        local=tuple(ordered[start : start + PAGE_SIZE]),
        has_more=len(ordered) > start + PAGE_SIZE,
    )
    locale = _locale(state.lang)
    miles = country in _MILES
    title = t.gettext("Help near you")
    head = _head(t, nearby, categories, page)
    if place_country and place_country != country:
        head.insert(
            0,
            t.gettext("Near this place, in {country}:").format(
                country=locale.territories.get(place_country, place_country)
            ),
        )
    tail = _tail(t, nearby, country, locale)
    blocks = [
        _service_block(
            t, state.lang, locale, start + i + 1, service, km, miles, home=country
        )
        for i, (service, km) in enumerate(nearby.local)
    ]
    has_more = nearby.has_more
    budget = MAX_TEXT - len(title) - 2
    while blocks and len(_join(head, blocks, tail)) > budget:
        blocks.pop()
        has_more = True
    text = _join(head, blocks, tail)
    if len(text) > budget:
        text = text[: budget - 1] + "…"
    shown = nearby.local[: len(blocks)]
    token = categories[0] if categories else ALL
    rows: list[tuple[Button, ...]] = []
    paging: list[Button] = []
    if page > 0:
        paging.append(
            Button(t.pgettext("button", "◀ Nearer"), route(RESULTS, token, str(page - 1)))
        )
    if has_more:
        paging.append(
            Button(t.pgettext("button", "More results ▶"), route(RESULTS, token, str(page + 1)))
        )
    if paging:
        rows.append(tuple(paging))
    if any(s.located for s, _ in shown) and not show_map:
        rows.append(
            (Button(t.pgettext("button", "📍 Show on map"), route(RESULTS_MAP, token, str(page))),)
        )
    rows.extend(_filter_rows(t, token))
    rows.extend(nav.footer(t, back))
    venues = tuple(_venue(s, locale) for s, _ in shown if s.located) if show_map else ()
    return Screen(text=text, title=title, rows=tuple(rows), venues=venues)


def _head(t: Translator, nearby: Nearby, categories: tuple[str, ...], page: int) -> list[str]:
    lines: list[str] = []
    if categories:
        lines.append(
            t.gettext("Showing: {category}").format(category=category_label(t, categories[0]))
        )
    if not nearby.local:
        if page > 0:
            lines.append(t.gettext("There are no more services in our list near this place."))
        else:
            lines.append(
                t.gettext(
                    "We have no service in our list near this place yet. You are not alone: "
                    "the people on the lines below can help you find support where you are."
                )
            )
    return lines


def _tail(t: Translator, nearby: Nearby, country: str | None, locale: Locale) -> list[str]:
    lines: list[str] = []
    if nearby.national:
        name = locale.territories.get(country or "", country or "")
        lines.append(t.gettext("Across {country}:").format(country=name))
        for service in nearby.national:
            contact = contact_line(t, service)
            entry = t.gettext("• {name}").format(name=service.name_in(locale.language))
            lines.append(f"{entry}: {contact}" if contact else entry)
    if nearby.emergency is not None:
        line = emergency_line(t, nearby.emergency)
        if line:
            lines.append(line)
    elif country is None:
        lines.append(t.gettext("In danger now? Call your local emergency number."))
    return lines


def own_country_first(
    local: tuple[tuple[Service, float], ...], country: str | None
) -> list[tuple[Service, float]]:
    """The person's own country's services, nearest first; then those across a border that
    are closer than every one at home (never a far-away foreign list as if it were near)."""
    if not country:
        return list(local)
    home = [(s, km) for s, km in local if s.country == country]
    nearest_home = home[0][1] if home else float("inf")
    abroad = [(s, km) for s, km in local if s.country != country and km < nearest_home]
    return home + abroad


def _service_block(
    t: Translator,
    lang: str,
    locale: Locale,
    number: int,
    s: Service,
    km: float,
    miles: bool,
    home: str | None = None,
) -> str:
    lines = [t.gettext("{number}. {name}").format(number=number, name=s.name_in(lang))]
    facts = [", ".join(category_label(t, c) for c in s.categories), _distance(km, miles, locale)]
    if s.city:
        facts.append(s.city)
    if home and s.country != home:
        facts.append(
            t.gettext("in {country}").format(
                country=locale.territories.get(s.country, s.country)
            )
        )
    lines.append(" · ".join(facts))
    lines += _reach(t, s)
    if s.languages:
        names = ", ".join(locale.languages.get(code, code) for code in s.languages)
        lines.append(t.gettext("🗣 speaks: {languages}").format(languages=names))
    who = eligibility_line(t, lang, s.eligibility)
    if who:
        lines.append(who)
    lines.append(freshness(t, locale, s.last_verified))
    return "\n".join(lines)


def _distance(km: float, miles: bool, locale: Locale) -> str:
    value, unit = (km / _KM_PER_MILE, "length-mile") if miles else (km, "length-kilometer")
    pattern = "#,##0.#" if value < 10 else "#,##0"
    return format_unit(value, unit, length="short", format=pattern, locale=locale)


def _filter_rows(t: Translator, current: str) -> list[tuple[Button, ...]]:
    buttons = []
    if current != ALL:
        buttons.append(Button(t.pgettext("button", "All services"), route(RESULTS, ALL, "0")))
    for category in FILTERS:
        if category != current:
            buttons.append(Button(category_label(t, category), route(RESULTS, category, "0")))
    return [tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3)]


def _venue(s: Service, locale: Locale) -> Venue:
    place = ", ".join(p for p in (s.address, s.city) if p) or locale.territories.get(
        s.country, s.country
    )
    return Venue(
        latitude=float(s.latitude or 0.0),
        longitude=float(s.longitude or 0.0),
        title=s.name[:100],
        address=place[:100],
    )


def _join(head: list[str], blocks: list[str], tail: list[str]) -> str:
    return "\n\n".join(part for part in ("\n".join(head), *blocks, "\n".join(tail)) if part)


def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale("en")


def _reach(t: Translator, s: Service) -> list[str]:
    """How to reach a service and when: numbers, website, hours (what there is of them)."""
    lines = []
    contact = contact_line(t, s)
    if contact:
        lines.append(contact)
    if s.website:
        lines.append(t.gettext("🌐 {website}").format(website=s.website))
    hours = hours_text(t, _locale(t.lang), s.hours)
    if hours:
        lines.append(t.gettext("🕒 {hours}").format(hours=hours))
    return lines
