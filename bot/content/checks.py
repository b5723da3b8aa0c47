"""What a reviewer or CI wants to know before a pack goes live: every problem, in words.

Run it with `python -c "from bot.content import validate; print(*validate(), sep='\\n')"`.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.content.library import BASE, PACKS_DIR, RESTORATIVE, ContentLibrary, read_packs
from bot.content.model import Page

MAX_BODY = 1200  # one phone screen; translations grow by a third and still fit Telegram's 4,096
MAX_LABEL = 30  # a button label that is not cut off on a narrow phone
# Seven or more digits in a row, allowing the spaces, dots and dashes phone numbers are written
# with (not "/", which citations such as "286/1998" use).  Numbers come from resources.csv
# through the "talk" screen, never from page text.
_PHONE = re.compile(r"\+?\d(?:[\s.\-()]*\d){6,}")


def validate(dir: Path = PACKS_DIR) -> list[str]:
    packs, problems = read_packs(dir)
    library = ContentLibrary(packs)
    ids = {p.id for p in packs}
    if BASE not in ids:
        problems.append(f"{dir}: no {BASE}.toml pack")
    for pack in packs:
        where = f"{pack.id}.toml"
        if pack.id == BASE:
            if pack.falls_back_to:
                problems.append(f'{where}: the {BASE} pack falls back to nothing ("")')
        elif pack.falls_back_to not in ids:
            problems.append(f"{where}: falls_back_to {pack.falls_back_to!r} is not a pack")
        elif library.chain(pack.country)[-1].id != BASE and pack.country:
            problems.append(f"{where}: its fallback chain does not end at {BASE}")
        seen: set[str] = set()
        for page in pack.pages:
            if page.id in seen:
                problems.append(f"{where}: page {page.id}: defined twice")
            seen.add(page.id)
            problems += [f"{where}: page {page.id}: {m}" for m in _page_problems(page)]
        problems += _link_problems(library, pack.id)
        for step in (*pack.reflection_steps, *dict(pack.reflection_outcomes).values()):
            if pack.get(step) is None:
                problems.append(f"{where}: reflection page {step!r} is not in this pack")
    problems += _menu_problems(library)
    reached = reachable(library)
    for page in library.all_pages():
        if (page.pack, page.id) not in reached:
            problems.append(f"{page.pack}.toml: page {page.id}: not reachable from any menu")
    return problems


def _page_problems(page: Page) -> list[str]:
    problems = []
    if len(page.body) > MAX_BODY:
        problems.append(f"body is {len(page.body)} characters; keep it under {MAX_BODY}")
    if len(page.label) > MAX_LABEL:
        problems.append(f"label {page.label!r} is longer than {MAX_LABEL} characters")
    for field in (page.title, page.body, page.label):
        if _PHONE.search(field):
            problems.append(
                "contains what looks like a phone number; numbers belong in resources.csv"
            )
    if not page.sources:
        problems.append("has no sources")
    return problems


def _link_problems(library: ContentLibrary, pack_id: str) -> list[str]:
    """A link must resolve wherever the page can be shown: along its own pack's chain."""
    pack = library.pack(pack_id)
    if pack is None:
        return []
    problems = []
    for page in pack.pages:
        for link in page.links:
            if link == page.id:
                problems.append(f"{pack_id}.toml: page {page.id}: links to itself")
            elif _resolve_from(library, pack_id, link) is None:
                problems.append(f"{pack_id}.toml: page {page.id}: link {link!r} goes nowhere")
    return problems


def _resolve_from(library: ContentLibrary, pack_id: str, page_id: str) -> Page | None:
    pack = library.pack(pack_id)
    seen: list[str] = []
    while pack is not None and pack.id not in seen:
        found = pack.get(page_id)
        if found is not None:
            return found
        seen.append(pack.id)
        pack = library.pack(pack.falls_back_to) if pack.falls_back_to else None
    restorative = library.pack(RESTORATIVE)
    return restorative.get(page_id) if restorative is not None else None


def _menu_problems(library: ContentLibrary) -> list[str]:
    problems = []
    base_menus = {p.id: p.menu for pack in library.packs() for p in pack.pages if p.menu}
    for page in library.all_pages():
        if page.menu is None and page.id in base_menus:
            problems.append(
                f"{page.pack}.toml: page {page.id}: overrides a {base_menus[page.id]} menu "
                "topic, so it needs the same menu key"
            )
        if page.after is not None and _resolve_from(library, page.pack, page.after) is None:
            problems.append(f"{page.pack}.toml: page {page.id}: after {page.after!r} is unknown")
    return problems


def reachable(library: ContentLibrary) -> set[tuple[str, str]]:
    """(pack, page id) of every page a person can open from a menu, in any country."""
    reached: set[tuple[str, str]] = set()
    for country in (None, *library.countries()):
        todo = [p.id for p in library.rights_topics(country)]
        todo += [p.id for p in library.restorative_topics()]
        todo += [p.id for p in library.reflection_steps()]
        restorative = library.pack(RESTORATIVE)
        if restorative is not None:
            todo += list(dict(restorative.reflection_outcomes).values())
        seen: set[str] = set()
        while todo:
            page_id = todo.pop()
            if page_id in seen:
                continue
            seen.add(page_id)
            page = library.page(page_id, country)
            if page is not None:
                reached.add((page.pack, page.id))
                todo += page.links
    return reached
