"""A wallet card (85.6 × 54 mm, the size of a bank card): QR code, link and two numbers.

A card may be found by the wrong person, so it says nothing of what the bot is about: one
neutral line, the link, the emergency number and a helpline number — no service names, which
often name the subject.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from bot.i18n import translator
from bot.outreach import fonts
from bot.outreach.link import QUIET_ZONE, qr_code

if TYPE_CHECKING:  # pragma: no cover - typing only
    from bot.directory.schema import Service

DPI = 300
WIDTH_MM, HEIGHT_MM = 85.6, 54.0
WIDTH_PX = round(WIDTH_MM / 25.4 * DPI)  # 1011
HEIGHT_PX = round(HEIGHT_MM / 25.4 * DPI)  # 638
_MARGIN = 48  # 4 mm: clear of a guillotine's wobble

_INK = (20, 20, 20)
_SOFT_INK = (85, 85, 85)
_EDGE = (200, 200, 200)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


class CardError(ValueError):
    """A card that cannot be made; the message is one sentence for the outreach worker."""


@dataclass(frozen=True)
class NationalNumbers:
    emergency: str = ""
    hotline: str = ""


@dataclass(frozen=True)
class Card:
    url: str
    lang: str
    numbers: NationalNumbers


def national_numbers(services: Iterable[Service], country: str, lang: str) -> NationalNumbers:
    """The country's emergency number and a national hotline, phones as the directory has them."""
    national = [s for s in services if s.national and s.country == country.upper() and s.phone]
    emergency = next((s.phone for s in national if "emergency" in s.categories), "")
    hotlines = [
        s for s in national if "hotline" in s.categories and "emergency" not in s.categories
    ]
    # A hotline that speaks the card's language first; otherwise the directory's own order.
    hotlines.sort(key=lambda s: lang not in s.languages)
    return NationalNumbers(emergency=emergency, hotline=hotlines[0].phone if hotlines else "")


def load_numbers(resources: Path, country: str, lang: str) -> NationalNumbers:
    """Numbers from the rows of resources.csv that pass the directory's own checks."""
    from bot.directory.validate import check_path

    try:
        checked = check_path(resources)
    except OSError as exc:
        raise CardError(f"cannot read {resources} ({exc.strerror or exc}).") from None
    return national_numbers(checked.services, country, lang)


def render(card: Card) -> Image.Image:
    t = translator(card.lang)
    invite = t.gettext("Scan to open a private chat.")
    label_emergency = t.pgettext("card", "Emergency")
    label_hotline = t.pgettext("card", "Helpline")
    # Mirror the card for the words actually printed: a language whose catalog has not
    # shipped yet prints English, left to right.
    rtl = _right_to_left(invite)
    image = Image.new("RGB", (WIDTH_PX, HEIGHT_PX), "white")
    draw = ImageDraw.Draw(image)
    # A hairline edge to cut along; cards are often printed several to a sheet.
    draw.rounded_rectangle((0, 0, WIDTH_PX - 1, HEIGHT_PX - 1), radius=38, outline=_EDGE, width=2)

    qr = _qr_image(card.url, max_px=HEIGHT_PX - 2 * 20)
    qr_x = WIDTH_PX - 20 - qr.width if rtl else 20
    image.paste(qr, (qr_x, (HEIGHT_PX - qr.height) // 2))

    # The QR code's quiet zone is already white space, so the text starts right after it.
    quiet = qr.width * QUIET_ZONE // _qr_modules(card.url)
    if rtl:
        left, right = _MARGIN, qr_x + quiet // 2
    else:
        left, right = qr_x + qr.width - quiet // 2, WIDTH_PX - _MARGIN
    column = right - left

    invite_font = _font(invite, 36, card.lang, bold=True)
    # Each block: its lines, font, colour, and the space after it.
    blocks: list[tuple[list[str], Font, tuple[int, int, int], int]] = [
        (_wrap(invite, invite_font, column), invite_font, _INK, 30)
    ]
    link_text = card.url.removeprefix("https://")
    # Long usernames get a smaller size rather than a third line.
    for size in (25, 22, 20):
        link_font = fonts.pick(link_text, size, mono=True)
        link_lines = _wrap_link(link_text, link_font, column)
        if len(link_lines) <= 2:
            break
    blocks.append((link_lines, link_font, _SOFT_INK, 40))
    for label, number, size in (
        (label_emergency, card.numbers.emergency, 50),
        (label_hotline, card.numbers.hotline, 44),
    ):
        if not number:
            continue
        label_font = _font(label, 25, card.lang)
        number_font = fonts.pick(number, size, bold=True)
        blocks.append((_wrap(label, label_font, column), label_font, _SOFT_INK, 2))
        blocks.append((_wrap(number, number_font, column), number_font, _INK, 22))

    heights = [_block_height(lines, font) + gap for lines, font, _, gap in blocks]
    y = (HEIGHT_PX - (sum(heights) - blocks[-1][3])) // 2
    for (lines, font, colour, _gap), height in zip(blocks, heights, strict=True):
        step = _line_height(font)
        for i, line in enumerate(lines):
            width = draw.textlength(line, font=font)
            x = right - width if rtl else left
            draw.text((x, y + i * step), line, font=font, fill=colour)
        y += height
    return image


def write(card: Card, path: Path) -> None:
    """The card as PNG (300 dpi) or as a one-page PDF of the card's own size."""
    kind = path.suffix.lower()
    if kind not in (".png", ".pdf"):
        raise CardError(f"cannot write a card as {path.name!r}; name it .png or .pdf.")
    image = render(card)
    if kind == ".png":
        image.save(path, "PNG", dpi=(DPI, DPI))
    else:
        # Pillow sizes the PDF page from the pixels and the resolution: 85.6 × 54 mm.
        image.save(path, "PDF", resolution=float(DPI))


def _right_to_left(text: str) -> bool:
    for ch in text:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def _font(text: str, size: int, lang: str, *, bold: bool = False) -> Font:
    return fonts.pick(text, size, lang=lang, bold=bold)


def _qr_modules(url: str) -> int:
    width, _ = qr_code(url).symbol_size(scale=1, border=QUIET_ZONE)
    return int(width)


def _qr_image(url: str, max_px: int) -> Image.Image:
    qr = qr_code(url)
    modules = _qr_modules(url)
    image = Image.new("1", (modules, modules), 1)
    pixels = image.load()
    assert pixels is not None
    for y, row in enumerate(qr.matrix_iter(scale=1, border=QUIET_ZONE)):
        for x, dark in enumerate(row):
            if dark:
                pixels[x, y] = 0
    scale = max(1, min(max_px, WIDTH_PX // 2) // modules)
    return image.resize((modules * scale, modules * scale), Image.Resampling.NEAREST).convert("RGB")


def _line_height(font: Font) -> int:
    ascent, descent = font.getmetrics() if isinstance(font, ImageFont.FreeTypeFont) else (10, 2)
    return round((ascent + descent) * 1.1)


def _block_height(lines: list[str], font: Font) -> int:
    return _line_height(font) * len(lines)


def _fits(text: str, font: Font, width: int) -> bool:
    return font.getlength(text) <= width


def _wrap(text: str, font: Font, width: int) -> list[str]:
    """Lines that fit the width: at spaces, or between characters for scripts without them."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if _fits(candidate, font, width):
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for ch in word:
            # Never part a mark (Thai vowels and tones, Arabic harakat) from its letter.
            attached = unicodedata.category(ch) in ("Mn", "Mc")
            if current and not attached and not _fits(current + ch, font, width):
                lines.append(current)
                current = ""
            current += ch
    if current:
        lines.append(current)
    return lines


def _wrap_link(link: str, font: Font, width: int) -> list[str]:
    """A link breaks before its "?" where it must, so each half still reads as a unit."""
    if _fits(link, font, width):
        return [link]
    head, sep, tail = link.partition("?")
    return [*_wrap(head, font, width), *(_wrap(sep + tail, font, width) if sep else [])]
