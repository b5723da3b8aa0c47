"""Babel extraction for content packs, so page text reaches the translators' catalog.

Mapping file (e.g. babel.cfg):

    [extractors]
    packs = bot.content.extract:extract_packs

    [packs: content/packs/**.toml]

Each title, label and body becomes a message.  Citations are not: they name instruments as
officially titled, and a reader follows them to that text.  Translator comments name the page
and its sources, because a translation of a legal statement must keep its meaning.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from bot.content.packs import parse_pack

_PAGE_HEADER = re.compile(r"^\s*\[\[\s*page\s*\]\]")


def extract_packs(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    encoding = options.get("encoding", "utf-8") if options else "utf-8"
    text = fileobj.read().decode(encoding)
    pack, _problems = parse_pack(text, getattr(fileobj, "name", "pack"))
    if pack is None:
        return
    lines = text.splitlines()
    blocks = _page_blocks(lines)
    for index, page in enumerate(pack.pages):
        start, end = blocks[index] if index < len(blocks) else (1, len(lines))
        sources = "; ".join(s.cite for s in page.sources)
        where = f"Page {page.id} ({pack.id} pack)."
        yield _line(lines, start, end, "title"), None, page.title, [where, "Page title."]
        if page.label != page.title:
            yield (
                _line(lines, start, end, "label"),
                None,
                page.label,
                [where, "Button label: keep it under 30 characters."],
            )
        yield (
            _line(lines, start, end, "body"),
            None,
            page.body,
            [where, f"Sources: {sources}.", "Plain words, short sentences; keep line breaks."],
        )


def _page_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """1-based (first, last) line numbers of each [[page]] table, in file order."""
    starts = [n for n, line in enumerate(lines, start=1) if _PAGE_HEADER.match(line)]
    ends = [s - 1 for s in starts[1:]] + [len(lines)]
    return list(zip(starts, ends, strict=True))


def _line(lines: list[str], start: int, end: int, key: str) -> int:
    found = _lines_with(lines, start, end, key)
    return found[0] if found else start


def _lines_with(lines: list[str], start: int, end: int, key: str) -> list[int]:
    pattern = re.compile(rf"(^|[{{,\s]){key}\s*=")
    return [n for n in range(start, end + 1) if pattern.search(lines[n - 1])]
