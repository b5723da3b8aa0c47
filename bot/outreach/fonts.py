"""TrueType fonts for printed cards, chosen by which one can draw the card's words.

Pillow's own default font has Latin only; a card in Arabic, Thai or Chinese needs a system
font (Debian: fonts-dejavu-core, fonts-noto-core, fonts-noto-cjk).  Fontconfig, where present,
names the fonts for a language; a few well-known paths are tried as well.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
# Preferred first: plain sans faces that read well small.
_REGULAR = (
    "DejaVuSans.ttf",
    "NotoSans-Regular.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoNaskhArabic-Regular.ttf",
    "NotoSansThai-Regular.ttf",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "wqy-zenhei.ttc",
    "DroidSansFallbackFull.ttf",
)
_BOLD = (
    "DejaVuSans-Bold.ttf",
    "NotoSans-Bold.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansThai-Bold.ttf",
    "NotoSansCJK-Bold.ttc",
)
_MONO = ("DejaVuSansMono.ttf", "NotoSansMono-Regular.ttf", "LiberationMono-Regular.ttf")

# A private-use code point no font maps, so its mask is the font's "missing glyph" box.
_NOT_A_CHAR = "\U0010fffd"


class FontNotice(UserWarning):
    """No installed font can draw some of the card's text."""


@lru_cache(maxsize=1)
def installed() -> dict[str, Path]:
    """Font file name -> path, for the font directories that exist."""
    found: dict[str, Path] = {}
    for folder in _FONT_DIRS:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.suffix.lower() in (".ttf", ".ttc", ".otf"):
                    found.setdefault(path.name, path)
    return found


@lru_cache(maxsize=32)
def for_language(lang: str) -> tuple[Path, ...]:
    """Fonts fontconfig says cover a language; empty without fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    try:
        out = subprocess.run(
            [fc_list, f":lang={lang}", "file"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    paths = sorted(Path(line.split(":")[0].strip()) for line in out.splitlines() if line.strip())
    # Plain regular faces first, so a card is not set in a condensed or oblique cut.
    return tuple(sorted(paths, key=lambda p: (_style_rank(p.name), p.name)))


def _style_rank(name: str) -> int:
    lowered = name.lower()
    odd = ("oblique", "italic", "condensed", "light", "mono", "serif", "math", "bold")
    return sum(word in lowered for word in odd)


def covers(font: ImageFont.FreeTypeFont, text: str) -> bool:
    """Whether the font has a glyph for every visible character of the text."""
    missing = _mask_key(font, _NOT_A_CHAR)
    return all(_mask_key(font, ch) != missing for ch in set(text) if not ch.isspace())


def _mask_key(font: ImageFont.FreeTypeFont, ch: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(ch)
    return mask.size, bytes(mask)


def pick(
    text: str, size: int, *, lang: str = "", bold: bool = False, mono: bool = False
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The first installed font that can draw the text, at `size` pixels."""
    names = _MONO if mono else _BOLD if bold else ()
    names = (*names, *_REGULAR)
    candidates = [installed()[n] for n in names if n in installed()]
    if lang:
        candidates.extend(for_language(lang))
    for path in candidates:
        try:
            font = ImageFont.truetype(str(path), size)
        except OSError:
            continue
        if covers(font, text):
            return font
    import warnings

    warnings.warn(
        "no installed font draws all of this card's text; install fonts-noto-core "
        "(and fonts-noto-cjk for Chinese)",
        FontNotice,
        stacklevel=2,
    )
    return ImageFont.load_default(size)
