"""Telegram's HTML parse mode: what a person sees, and where Telegram would refuse.

Telegram turns `parse_mode=HTML` text into plain text plus entities before it counts the
4096-character limit, and answers 400 "can't parse entities" for an unknown tag, a stray `<`
or tags that do not close in order.  The test server does the same so a rendering bug fails
a test instead of a conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# tag -> entity type; span and blockquote are decided by their attributes.
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
_ATTR = re.compile(r"""([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class ParseError(ValueError):
    """Telegram would answer 'Bad Request: can't parse entities: …'."""


@dataclass(frozen=True)
class Parsed:
    text: str
    entities: tuple[dict[str, Any], ...]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _attributes(raw: str) -> dict[str, str]:
    return {
        m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
        for m in _ATTR.finditer(raw)
    }


def _entity_for(tag: str, attrs: dict[str, str], at: int) -> dict[str, Any]:
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise ParseError(f'can\'t parse entities: unsupported start tag "span" at {at}')
    entity: dict[str, Any] = {"type": _SIMPLE[tag]}
    if tag == "a":
        if not attrs.get("href"):
            raise ParseError(f"can't parse entities: <a> without href at {at}")
        entity["url"] = attrs["href"]
    if tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    if tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    return entity


def parse_html(source: str) -> Parsed:
    """Visible text and entities of HTML-formatted text, as Telegram would parse it."""
    out: list[str] = []
    length = 0  # UTF-16 units emitted so far
    open_tags: list[tuple[str, int, dict[str, Any]]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "<":
            match = _TAG.match(source, i)
            if not match:
                raise ParseError(f"can't parse entities: unsupported start tag at byte offset {i}")
            closing, name, raw_attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in _SIMPLE:
                raise ParseError(f'can\'t parse entities: unsupported start tag "{name}" at {i}')
            if closing:
                if not open_tags or open_tags[-1][0] != name:
                    raise ParseError(
                        f'can\'t parse entities: can\'t find end tag corresponding to "{name}"'
                    )
                _, start, entity = open_tags.pop()
                if length > start:
                    entities.append({**entity, "offset": start, "length": length - start})
            else:
                attrs = _attributes(raw_attrs)
                if name == "code" and open_tags and open_tags[-1][0] == "pre":
                    lang = attrs.get("class", "")
                    if lang.startswith("language-"):
                        open_tags[-1][2]["language"] = lang[len("language-"):]
                open_tags.append((name, length, _entity_for(name, attrs, i)))
            i = match.end()
            continue
        if ch == "&":
            match = _ENTITY.match(source, i)
            if match:
                dec, hexa, named = match.groups()
                if named:
                    piece = _NAMED[named]
                else:
                    code = int(dec) if dec else int(hexa, 16)
                    if code > 0x10FFFF:
                        raise ParseError(f"can't parse entities: bad character reference at {i}")
                    piece = chr(code)
                out.append(piece)
                length += utf16_len(piece)
                i = match.end()
                continue
        out.append(ch)
        length += utf16_len(ch)
        i += 1
    if open_tags:
        raise ParseError(
            f'can\'t parse entities: can\'t find end tag corresponding to start tag '
            f'"{open_tags[-1][0]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return Parsed("".join(out), tuple(entities))


def visible(text: str, parse_mode: str | None) -> Parsed:
    """What a person would see for `text` under `parse_mode` (only HTML is parsed)."""
    if parse_mode and parse_mode.upper() == "HTML":
        return parse_html(text)
    return Parsed(text, ())
