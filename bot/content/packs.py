"""Reading one pack file (TOML) into a Pack, collecting every problem instead of stopping.

The same reader serves the bot, the validator and the translation extractor, so the text a
translator sees is byte for byte the text the bot looks up.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from typing import Any

from bot.content.model import Pack, Page, Source

ID_PATTERN = re.compile(r"[a-z0-9_]{1,30}")
MENUS = ("rights", "restorative")
ACTIONS = ("help", "reflect")
NO_FALLBACK = ""  # what the international pack says in falls_back_to

_PACK_KEYS = {
    "pack",
    "name",
    "falls_back_to",
    "last_reviewed",
    "page",
    "reflection_steps",
    "reflection_outcomes",
}
_PAGE_KEYS = {
    "id",
    "title",
    "label",
    "body",
    "sources",
    "last_reviewed",
    "links",
    "menu",
    "after",
    "actions",
}


def parse_pack(text: str, where: str) -> tuple[Pack | None, list[str]]:
    """The pack in `text` and the problems found, each prefixed with `where` (a file name)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{where}: not valid TOML: {exc}"]
    problems: list[str] = []

    def bad(message: str) -> None:
        problems.append(f"{where}: {message}")

    for key in sorted(set(data) - _PACK_KEYS):
        bad(f"unknown key {key!r}")
    pack_id = _text(data, "pack", bad)
    name = _text(data, "name", bad)
    fallback = data.get("falls_back_to")
    if not isinstance(fallback, str):
        bad('falls_back_to must be a pack id, or "" for the international pack')
        fallback = NO_FALLBACK
    reviewed = _date(data, "last_reviewed", bad)
    raw_pages = data.get("page", [])
    if not isinstance(raw_pages, list) or not raw_pages:
        bad("a pack needs at least one [[page]]")
        raw_pages = []
    pages: list[Page] = []
    for index, raw in enumerate(raw_pages, start=1):
        page = _page(raw, pack_id or "?", f"page {index}", bad)
        if page is not None:
            pages.append(page)
    steps = data.get("reflection_steps", [])
    outcomes = data.get("reflection_outcomes", {})
    if not (isinstance(steps, list) and all(isinstance(s, str) for s in steps)):
        bad("reflection_steps must be a list of page ids")
        steps = []
    if not (isinstance(outcomes, dict) and all(isinstance(v, str) for v in outcomes.values())):
        bad("reflection_outcomes must map outcome names to page ids")
        outcomes = {}
    if pack_id is None or name is None or reviewed is None:
        return None, problems
    return (
        Pack(
            id=pack_id,
            name=name,
            falls_back_to=fallback or None,
            last_reviewed=reviewed,
            pages=tuple(pages),
            reflection_steps=tuple(steps),
            reflection_outcomes=tuple(sorted(outcomes.items())),
        ),
        problems,
    )


def _page(raw: Any, pack_id: str, where: str, bad: Any) -> Page | None:
    if not isinstance(raw, dict):
        bad(f"{where}: not a table")
        return None
    page_id = raw.get("id")
    if isinstance(page_id, str):
        where = f"page {page_id}"

    def page_bad(message: str) -> None:
        bad(f"{where}: {message}")

    for key in sorted(set(raw) - _PAGE_KEYS):
        page_bad(f"unknown key {key!r}")
    if not (isinstance(page_id, str) and ID_PATTERN.fullmatch(page_id)):
        page_bad("id must be 1-30 of a-z, 0-9 and _")
    title = _text(raw, "title", page_bad)
    body = _text(raw, "body", page_bad)
    label = raw.get("label", title)
    if not isinstance(label, str) or not label.strip():
        page_bad("label must be text")
        label = title
    reviewed = _date(raw, "last_reviewed", page_bad)
    sources = _sources(raw.get("sources"), page_bad)
    links = _ids(raw, "links", page_bad)
    actions = _ids(raw, "actions", page_bad)
    for action in actions:
        if action not in ACTIONS:
            page_bad(f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
    menu = raw.get("menu")
    if menu is not None and menu not in MENUS:
        page_bad(f"menu must be one of {', '.join(MENUS)}")
    after = raw.get("after")
    if after is not None and not isinstance(after, str):
        page_bad("after must be a page id")
        after = None
    if not (isinstance(page_id, str) and title and body and reviewed and label):
        return None
    return Page(
        id=page_id,
        title=title,
        body=body,
        sources=sources,
        last_reviewed=reviewed,
        pack=pack_id,
        label=label.strip(),
        links=links,
        menu=menu,
        after=after,
        actions=actions,
    )


def _text(table: dict[str, Any], key: str, bad: Any) -> str | None:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        bad(f"{key} is missing or empty")
        return None
    return value.strip()


def _date(table: dict[str, Any], key: str, bad: Any) -> date | None:
    value = table.get(key)
    # TOML has a date type; a quoted "2026-11-27" is accepted too, because spreadsheets and
    # hand edits produce it.
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, date):
        bad(f"{key} must be a date like 2026-11-27")
        return None
    return value


def _ids(table: dict[str, Any], key: str, bad: Any) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        bad(f"{key} must be a list of page ids")
        return ()
    return tuple(value)


def _sources(value: Any, bad: Any) -> tuple[Source, ...]:
    if not isinstance(value, list) or not value:
        bad("sources: every page needs at least one source")
        return ()
    sources: list[Source] = []
    for item in value:
        cite = item.get("cite") if isinstance(item, dict) else None
        url = item.get("url") if isinstance(item, dict) else None
        if not isinstance(cite, str) or not cite.strip():
            bad("sources: each source needs a cite")
            continue
        if isinstance(item, dict) and set(item) - {"cite", "url"}:
            bad(f"sources: unknown key in {cite!r}")
        if url is not None and not (isinstance(url, str) and re.match(r"https?://\S+$", url)):
            bad(f"sources: url of {cite!r} must start with http:// or https://")
            url = None
        sources.append(Source(cite=cite.strip(), url=url))
    return tuple(sources)
