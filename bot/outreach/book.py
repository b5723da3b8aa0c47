"""`python -m bot book`: every screen the bot can show in one language and country, as one page.

An outreach worker, a translator or a lawyer reads it in a browser to know exactly what the bot
tells people.  The screens come from the real flows, walked breadth-first from the main menu by
following every button, so the book cannot drift from the bot.

The book's state is fixed: a button that would switch the language or the country is listed with
what it does, not followed, so every screen in the book is in the requested language and country.
The page's own wording (headings, notes) is English on purpose: it is for reviewers, and adding
it to the gettext catalogs would ask translators for text no survivor ever sees.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sqlite3
import sys
import tempfile
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import date
from html import escape
from pathlib import Path

from bot.flows.deps import Deps
from bot.flows.routes import Route
from bot.flows.screen import Button, Screen
from bot.flows.state import State
from bot.i18n import SOURCE_LANG, review_status, translator, used_messages

# Distinct screens in the book, and routes opened to find them.  The "Is it right for me?"
# questions alone are 121 routes (answers travel in the route) that look like 8 screens.
MAX_SCREENS = 300
MAX_OPENED = 800

START = Route("menu")
EXIT = "exit"
# Screens that exist only around a searched point or a chosen place.
NEEDS_A_PLACE = frozenset({"results", "place"})

# The book's chapters, in reading order: (heading, route names).  Anything else goes last.
CHAPTERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("Start", frozenset({"menu", "helpme", "unreadable", "setlang"})),
    ("Your rights", frozenset({"rights", "page"})),
    ("Restorative options", frozenset({"rj", "rjpage", "reflect"})),
    ("Finding help and talking to a person", frozenset({"help", "talk", "results", "place"})),
    ("Choosing a country", frozenset({"country", "setc"})),
    ("Language and privacy", frozenset({"lang", "privacy", "autowipe", "forget"})),
)
OTHER_CHAPTER = "Other screens"

# A web address ends where a bidi isolate closes, as well as at a space.
_URL = re.compile(r"https?://[^\s<>\"'\u2066-\u2069]+")
_TRAILING = ".,;:!?)]}»”’"


@dataclass(frozen=True)
class Destination:
    """Where a button leads, as the book can say it: an anchor in the book, or a sentence."""

    anchor: str | None = None
    note: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class BookPage:
    """One distinct screen of the book, under the first route that showed it."""

    anchor: str
    route: Route
    screen: Screen
    chapter: str
    # Other routes that show the same screen, e.g. a question reached by different answers.
    also: tuple[Route, ...] = ()
    # Set when the flow raised: the book shows the bug instead of stopping.
    error: str | None = None
    # The translated messages on this screen that no native speaker has marked reviewed.
    unreviewed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Book:
    lang: str
    country: str | None
    generated: date
    pages: tuple[BookPage, ...]
    # Encoded route -> anchor of the page it shows (every route opened, merged ones included).
    anchors: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    truncated: bool = False


class BookError(Exception):
    """Something the person running the command can fix; the message is one sentence."""


# -- walking the flows ---------------------------------------------------------------------------


def _looks(screen: Screen) -> tuple[object, ...]:
    """What a person sees of a screen.  Screens that look the same are one page of the book."""
    return (
        screen.title,
        screen.text,
        tuple(tuple(b.label for b in row) for row in screen.rows),
        screen.venues,
        tuple(_looks(f) for f in screen.follow_ups),
    )


def _buttons(screen: Screen) -> list[Button]:
    found = [b for row in screen.rows for b in row]
    for follow_up in screen.follow_ups:
        found += _buttons(follow_up)
    return found


def _chapter(route: Route) -> str:
    return next((name for name, routes in CHAPTERS if route.name in routes), OTHER_CHAPTER)


def _slug(route: Route) -> str:
    raw = "-".join((route.name, *route.args))
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9_]", "-", raw)).strip("-") or "screen"


def _followed(route: Route, state: State) -> bool:
    """Whether the book opens a route: only those that keep its language and country."""
    if route.name == EXIT or route.name in NEEDS_A_PLACE:
        return False
    if route.name == "setlang":
        return route.arg(0) == state.lang
    if route.name == "setc":
        chosen = route.arg(0).upper()
        return chosen == (state.country or "NONE")
    return True


def _unreviewed(lang: str, used: list[tuple[str | None, str]]) -> tuple[str, ...]:
    """The English of each message on a screen whose translation is not marked reviewed."""
    if lang == SOURCE_LANG:
        return ()
    reviewed, _total = review_status(lang)
    t = translator(lang)
    seen: dict[str, None] = {}
    for context, message in used:
        shown = t.gettext(message) if context is None else t.pgettext(context, message)
        if (context, message) not in reviewed and shown != message:
            seen.setdefault(message, None)
    return tuple(seen)


async def walk(state: State, deps: Deps) -> tuple[list[BookPage], dict[str, str], bool]:
    """Every distinct screen reachable by buttons from the main menu, breadth-first.

    The state a screen hands back (a new country, what a typed text will mean) is not carried
    on: the book shows every screen as a person in `state` would see it.
    """
    from bot.flows.router import open_route

    pages: list[BookPage] = []
    by_look: dict[tuple[object, ...], int] = {}
    anchors: dict[str, str] = {}
    taken: set[str] = set()
    queue: deque[Route] = deque([START])
    queued = {START.encode()}
    truncated = False
    while queue:
        if len(anchors) >= MAX_OPENED or len(pages) >= MAX_SCREENS:
            truncated = True
            break
        route = queue.popleft()
        error = None
        used: list[tuple[str | None, str]] = []
        token = used_messages.set(used)
        try:
            screen = await open_route(route, state, deps)
        except Exception as exc:  # noqa: BLE001 - a broken flow is reported in the book
            screen = Screen(text="")
            error = f"{type(exc).__name__}: {exc}"
        finally:
            used_messages.reset(token)
        look = _looks(screen) if error is None else ("error", route.encode())
        if look in by_look:
            index = by_look[look]
            page = pages[index]
            pages[index] = replace(page, also=(*page.also, route))
            anchors[route.encode()] = page.anchor
        else:
            anchor = _slug(route)
            suffix = 2
            while anchor in taken or anchor.startswith("book-"):
                anchor = f"{_slug(route)}-{suffix}"
                suffix += 1
            taken.add(anchor)
            by_look[look] = len(pages)
            pages.append(
                BookPage(
                    anchor,
                    route,
                    screen,
                    _chapter(route),
                    error=error,
                    unreviewed=_unreviewed(state.lang, used),
                )
            )
            anchors[route.encode()] = anchor
        # Children of every route are walked, merged ones too: the answers that lead to the
        # questions' other outcomes travel only in those routes.
        for button in _buttons(screen):
            target = button.route
            if target is None or not _followed(target, state):
                continue
            key = target.encode()
            if key not in queued:
                queued.add(key)
                queue.append(target)
    return pages, anchors, truncated


def destination(button: Button, book: Book) -> Destination:
    """What the book says about where a button leads."""
    from bot.geo.countries import country_name
    from bot.i18n import language_name
    from bot.outreach.payload import country_codes

    if button.url is not None:
        if button.url.startswith(("https://", "http://")):
            return Destination(url=button.url)
        return Destination(note="opens a link")
    route = button.route
    if route is None:
        return Destination(note="does nothing")
    if route.name == EXIT:
        return Destination(
            note="quick exit: deletes this chat and forgets the language and country"
        )
    if route.name in NEEDS_A_PLACE:
        return Destination(note="search results around a place: not in this book")
    anchor = book.anchors.get(route.encode())
    if anchor is not None:
        return Destination(anchor=anchor)
    if route.name == "setlang":
        return Destination(
            note=f"switches the bot to {language_name(route.arg(0))} "
            f"(make a book with --lang {route.arg(0)})"
        )
    if route.name == "setc":
        code = route.arg(0).upper()
        if code == "NONE":
            return Destination(
                note="sets no country: the international pages (make a book without --country)"
            )
        hint = f" (make a book with --country {code})" if code in country_codes() else ""
        return Destination(note=f"sets the country to {country_name(code, 'en')}{hint}")
    if book.truncated:
        return Destination(note="not in this book: the walk stopped before it")
    return Destination(note="not in this book")


async def make_book(
    lang: str,
    country: str | None,
    deps: Deps,
    *,
    today: date | None = None,
    notes: tuple[str, ...] = (),
) -> Book:
    state = State(lang=lang, country=country, lang_chosen=True)
    pages, anchors, truncated = await walk(state, deps)
    order = [name for name, _ in CHAPTERS] + [OTHER_CHAPTER]
    pages.sort(key=lambda p: order.index(p.chapter))  # stable: breadth-first within a chapter
    broken = [p for p in pages if p.error is not None]
    if broken:
        notes = (
            *notes,
            f"{len(broken)} screen(s) could not be made, a bug in the bot: "
            + ", ".join(_route_text(p.route) for p in broken[:5])
            + ". They are marked below.",
        )
    if truncated:
        notes = (
            *notes,
            f"The walk stopped after {len(pages)} screens; some screens are missing.",
        )
    return Book(lang, country, today or date.today(), tuple(pages), anchors, notes, truncated)


# -- the page ------------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0 auto; padding: 1.5rem 1.25rem 4rem; max-width: 48rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic",
    "Noto Sans Thai", "Noto Sans CJK SC", "DejaVu Sans", sans-serif, "Apple Color Emoji",
    "Segoe UI Emoji", "Noto Color Emoji";
  font-size: 1rem; line-height: 1.55; color: #1f2328; background: #fff;
}
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2.5rem 0 .75rem; padding-bottom: .25rem;
  border-bottom: 2px solid #d0d7de; }
h3 { font-size: 1.1rem; margin: 0 0 .5rem; }
h4 { font-size: .8rem; margin: 1rem 0 .35rem; text-transform: uppercase;
  letter-spacing: .04em; color: #57606a; }
a { color: #0a58ca; }
.meta { color: #57606a; margin: 0 0 1rem; }
.about { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 8px;
  padding: .75rem 1rem; }
.about p { margin: .4rem 0; }
.notice { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 8px;
  padding: .6rem 1rem; margin: 1rem 0; }
nav ol { padding-inline-start: 1.5rem; margin: .25rem 0 .75rem; }
nav li { margin: .1rem 0; }
nav .chapter { font-weight: 600; margin-top: .75rem; }
.screen { border: 1px solid #d0d7de; border-radius: 10px; padding: 1rem 1.25rem;
  margin: 1rem 0 1.5rem; break-inside: avoid; }
.route { font-size: .8rem; color: #57606a; margin: 0 0 .35rem; }
.route code { background: #f6f8fa; padding: 0 .3rem; border-radius: 4px; }
.text { white-space: pre-line; overflow-wrap: anywhere; }
.follow-up { border-top: 1px dashed #d0d7de; margin-top: .75rem; padding-top: .75rem; }
ul.buttons { list-style: none; padding: 0; margin: 0; }
ul.buttons li { margin: .3rem 0; }
.button { display: inline-block; padding: .05rem .6rem; border: 1px solid #8c959f;
  border-radius: 6px; background: #f6f8fa; }
.leads { color: #57606a; }
.top { font-size: .85rem; margin: .75rem 0 0; }
.nowrap { white-space: nowrap; }
@media print { .top { display: none; } body { max-width: none; } }
"""


def _linked(text: str) -> str:
    """Plain text escaped, with its web addresses (the sources) made into links."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        out.append(escape(text[last : match.start()]))
        out.append(f'<a href="{escape(url)}" rel="noreferrer">{escape(url)}</a>')
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def page_label(page: BookPage) -> str:
    """A page's name in the contents: its title, or the start of its text."""
    if page.error is not None:
        return f"Could not be made: {_route_text(page.route)}"
    if page.screen.title:
        return page.screen.title
    first = page.screen.text.strip().split("\n", 1)[0]
    return first if len(first) <= 60 else first[:57].rstrip() + "…"


def page_labels(pages: tuple[BookPage, ...]) -> dict[str, str]:
    """Each page's name in the contents, told apart where several share a title.

    A short last line ("Page 2 of 4") tells them apart best; otherwise they are numbered.
    """
    labels = {p.anchor: page_label(p) for p in pages}
    by_label: dict[str, list[BookPage]] = {}
    for page in pages:
        by_label.setdefault(labels[page.anchor], []).append(page)
    for label, same in by_label.items():
        if len(same) < 2:
            continue
        tails = [p.screen.text.strip().rsplit("\n", 1)[-1].strip() for p in same]
        if len(set(tails)) == len(tails) and all(0 < len(t) <= 40 for t in tails):
            for page, tail in zip(same, tails, strict=True):
                labels[page.anchor] = f"{label} — {tail}"
        else:
            for number, page in enumerate(same[1:], start=2):
                labels[page.anchor] = f"{label} ({number})"
    return labels


def _route_text(route: Route) -> str:
    return " ".join((route.name, *route.args))


def _screen_html(screen: Screen, lang: str = "en") -> list[str]:
    """The screen as Telegram gets it: right-to-left screens with their isolated runs."""
    from bot.i18n import isolate_ltr_runs

    out = []
    if screen.title:
        out.append(f"<h3>{escape(isolate_ltr_runs(screen.title, lang))}</h3>")
    out.append(f'<div class="text">{_linked(isolate_ltr_runs(screen.text, lang))}</div>')
    if screen.venues:
        out.append('<h4 lang="en">Map pins</h4><ul>')
        for venue in screen.venues:
            out.append(
                f"<li>{escape(venue.title)} — {escape(venue.address)} "
                f"({venue.latitude:.5f}, {venue.longitude:.5f})</li>"
            )
        out.append("</ul>")
    for follow_up in screen.follow_ups:
        out.append('<div class="follow-up">')
        out.extend(_screen_html(follow_up, lang))
        out.append("</div>")
    return out


def _buttons_html(page: BookPage, book: Book, titles: dict[str, str], arrow: str) -> list[str]:
    buttons = _buttons(page.screen)
    if not buttons:
        return []
    out = ['<h4 lang="en">Buttons</h4>', '<ul class="buttons">']
    for button in buttons:
        where = destination(button, book)
        if where.anchor is not None:
            lead = f'<a href="#{escape(where.anchor)}">{escape(titles[where.anchor])}</a>'
        elif where.url is not None:
            lead = f'<a href="{escape(where.url)}" rel="noreferrer">{escape(where.url)}</a>'
        else:
            lead = f'<span lang="en" dir="ltr">{escape(where.note or "")}</span>'
        out.append(
            f'<li><span class="button">{escape(button.label)}</span> '
            f'<span class="leads">{arrow}</span> {lead}</li>'
        )
    out.append("</ul>")
    return out


def _names(book: Book) -> tuple[str, str]:
    """The book's language and country as "Arabic (العربية, ar)" and "United Kingdom (GB)"."""
    from babel import Locale

    from bot.geo.countries import country_name
    from bot.i18n import language_name

    english = Locale("en").languages.get(book.lang, book.lang)
    own = language_name(book.lang)
    language = f"{english} ({book.lang})" if own == english else f"{english} ({own}, {book.lang})"
    if book.country is None:
        return language, "none chosen: the international pages"
    name = country_name(book.country, "en")
    local = country_name(book.country, book.lang)
    country = f"{name} ({book.country})" if local == name else f"{name} ({local}, {book.country})"
    return language, country


def render_html(book: Book) -> str:
    from bot.geo.countries import country_name
    from bot.i18n import language_name

    rtl = book.lang in ("ar", "fa", "he", "ur")
    arrow = "←" if rtl else "→"
    language, country = _names(book)
    titles = page_labels(book.pages)
    where = (
        f"the country set to {country_name(book.country, 'en')}" if book.country
        else "no country chosen"
    )
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(book.lang)}" dir="{"rtl" if rtl else "ltr"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex">',
        f"<title>Waypoint content book — {escape(language_name(book.lang))}"
        f"{' — ' + escape(book.country) if book.country else ''}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        '<header id="book-top" lang="en" dir="ltr">',
        "<h1>Waypoint: what the bot says</h1>",
        f'<p class="meta">Language: {escape(language)} · Country: {escape(country)} · '
        f'Generated <span class="nowrap">{escape(book.generated.isoformat())}</span></p>',
        '<div class="about">',
        "<p>Waypoint is an automated Telegram guide, not a person. It does not ask anyone for "
        "anything. It keeps only a person's language and country, under a one-way code (not "
        "their name or number), and deletes them after 30 days without use. It never keeps what "
        "a person types, their name, username, phone number or location. Quick exit deletes "
        "the chat's messages that Telegram still allows (48 hours).</p>",
        f"<p>This book shows every screen the bot opens for a person who taps its buttons, "
        f"starting from the main menu, with the language set to "
        f"{escape(language.split(' (')[0])} and {escape(where)}. "
        "Under each screen is the list of its buttons and where each one leads. Screens that "
        "look the same are shown once, so a Back button may lead elsewhere when the screen is "
        "opened from another place.</p>",
        "<p>Not in this book: search results around a place or a shared location (they depend "
        "on where the person is), the replies to typed text, and screens in other languages or "
        "countries (make another book with <code>--lang</code> and <code>--country</code>).</p>",
        "</div>",
    ]
    out += [f'<p class="notice">{escape(note)}</p>' for note in book.notes]
    out.append("</header>")
    out += _contents(book, titles)
    chapter = None
    for page in book.pages:
        if page.chapter != chapter:
            chapter = page.chapter
            out.append(f'<h2 lang="en" dir="ltr">{escape(chapter)}</h2>')
        out.append(f'<section class="screen" id="{escape(page.anchor)}">')
        opened = " · ".join(_route_text(r) for r in (page.route, *page.also)[:4])
        more = len(page.also) + 1 - 4
        if more > 0:
            opened += f" and {more} more"
        out.append(
            f'<p class="route" lang="en" dir="ltr">Opened by <code>{escape(opened)}</code></p>'
        )
        if page.error is not None:
            out.append(
                f'<p class="notice" lang="en" dir="ltr">This screen could not be made: '
                f"{escape(page.error)}</p>"
            )
        else:
            if page.unreviewed:
                out.append(
                    f'<p class="unreviewed" lang="en" dir="ltr">⚠ Not yet reviewed by a '
                    f"native speaker: {len(page.unreviewed)} translated message(s) on this "
                    "screen (see locales/README.md to mark them reviewed).</p>"
                )
            out += _screen_html(page.screen, book.lang)
        out += _buttons_html(page, book, titles, arrow)
        out.append('<p class="top" lang="en"><a href="#book-contents">Contents</a></p>')
        out.append("</section>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _contents(book: Book, titles: dict[str, str]) -> list[str]:
    out = ['<nav id="book-contents">', '<h2 lang="en" dir="ltr">Contents</h2>']
    chapter = None
    for page in book.pages:
        if page.chapter != chapter:
            if chapter is not None:
                out.append("</ol>")
            chapter = page.chapter
            out.append(f'<p class="chapter" lang="en" dir="ltr">{escape(chapter)}</p><ol>')
        out.append(f'<li><a href="#{escape(page.anchor)}">{escape(titles[page.anchor])}</a></li>')
    if chapter is not None:
        out.append("</ol>")
    out.append("</nav>")
    return out


# -- the command ---------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one sentence and status 2, like every other refusal."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise BookError(message.rstrip(".") + ".")


def _parser() -> _Parser:
    from bot.i18n import shipped_languages

    parser = _Parser(
        prog="python -m bot book",
        description="Write every screen the bot shows in a language and country as one HTML page.",
    )
    parser.add_argument("--lang", required=True, help=f"language: {' '.join(shipped_languages())}")
    parser.add_argument("--country", help="ISO 3166-1 alpha-2 code, e.g. GB (default: none)")
    parser.add_argument(
        "--resources",
        type=Path,
        default=Path(os.environ.get("RESOURCES_CSV", "").strip() or "resources.csv"),
        help="the directory file (default: $RESOURCES_CSV or resources.csv)",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="book.html")
    return parser


def checked(lang: str, country: str | None) -> tuple[str, str | None]:
    """The language and country in canonical form, or BookError in one sentence."""
    from bot.i18n import shipped_languages
    from bot.outreach.payload import country_codes

    lang = lang.strip().lower()
    if lang not in shipped_languages():
        raise BookError(
            f"unknown language {lang!r}; use one of {' '.join(shipped_languages())}."
        )
    if country is None:
        return lang, None
    code = country.strip().upper()
    if code not in country_codes():
        raise BookError(
            f"unknown country {country!r}; use a two-letter ISO 3166-1 code such as GB."
        )
    return lang, code


async def build(
    lang: str, country: str | None, resources: Path, today: date | None = None
) -> tuple[str, tuple[str, ...]]:
    """The book's HTML and the notes it carries (also worth printing for the person)."""
    from bot.content import ContentLibrary
    from bot.directory import Directory, DirectoryError

    content = ContentLibrary.load()
    notes: tuple[str, ...] = ()
    # A throwaway data dir: making a book leaves no index or key behind.
    with tempfile.TemporaryDirectory(prefix="waypoint-book-") as data_dir:
        directory = None
        try:
            directory = await Directory.open(resources, Path(data_dir), progress=False)
        except (DirectoryError, OSError, sqlite3.Error) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            notes = (
                f"The service directory {resources} could not be opened ({reason}). This book "
                "shows the screens without it: no emergency number, no helplines, and only the "
                "countries that have rights pages.",
            )
        try:
            book = await make_book(
                lang, country, Deps(directory=directory, content=content),
                today=today, notes=notes,
            )
        finally:
            if directory is not None:
                await directory.close()
    return render_html(book), book.notes


def book_main(argv: list[str]) -> int:
    from bot.content import ContentError
    from bot.i18n import CatalogError, compile_catalogs

    try:
        args = _parser().parse_args(argv)
        lang, country = checked(args.lang, args.country)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except BookError as exc:
        return _fail(str(exc))
    try:
        compile_catalogs()
        html, notes = asyncio.run(build(lang, country, args.resources))
    except (CatalogError, ContentError) as exc:
        return _fail(f"the bot's texts cannot be read ({exc}).", status=1)
    try:
        args.output.write_text(html, encoding="utf-8")
    except OSError as exc:
        return _fail(f"cannot write {args.output} ({exc.strerror or exc}).")
    for note in notes:
        print(f"waypoint book: {note}", file=sys.stderr)
    print(args.output)
    return 0


def _fail(message: str, status: int = 2) -> int:
    print(f"waypoint book: {message}", file=sys.stderr)
    return status
