"""`python -m bot resources map`: a world map of what the directory offers in each country.

Each country is coloured by the most the directory has there: local services (with a place),
a national line (hotline, support, …), only an emergency number, or nothing. The map is drawn
pixel by pixel from the same border polygons the bot uses for a shared location's country
(`bot.geo.borders`), in a plain latitude/longitude projection, with Pillow: no map service,
no download.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from PIL import Image, ImageDraw

from bot.directory.schema import Service
from bot.geo import borders


class Level(IntEnum):
    NOTHING = 0
    EMERGENCY_ONLY = 1
    NATIONAL_LINE = 2
    LOCAL_SERVICES = 3


COLOURS = {
    None: (214, 230, 244),  # sea
    Level.NOTHING: (200, 200, 200),
    Level.EMERGENCY_ONLY: (244, 190, 110),
    Level.NATIONAL_LINE: (120, 180, 230),
    Level.LOCAL_SERVICES: (40, 120, 70),
}
LABELS = {
    Level.LOCAL_SERVICES: "local services",
    Level.NATIONAL_LINE: "a national line, no local service",
    Level.EMERGENCY_ONLY: "an emergency number only",
    Level.NOTHING: "nothing yet",
}


@dataclass(frozen=True)
class Coverage:
    levels: dict[str, Level]

    def count(self, level: Level) -> int:
        return sum(1 for v in self.levels.values() if v is level)


def coverage(services: Iterable[Service]) -> Coverage:
    levels: dict[str, Level] = {}
    for s in services:
        # A city's own emergency number has a place too, but it is not a service to go to.
        helps = any(c != "emergency" for c in s.categories)
        if s.located and helps:
            level = Level.LOCAL_SERVICES
        elif helps:
            level = Level.NATIONAL_LINE
        else:
            level = Level.EMERGENCY_ONLY
        levels[s.country] = max(levels.get(s.country, Level.NOTHING), level)
    return Coverage(levels)


def draw(cover: Coverage, out: Path, width: int = 1080) -> Path:
    """The map as PNG, `width` pixels wide (height half of it, plus the legend)."""
    height = width // 2
    legend = 30 * (len(LABELS) + 1)
    image = Image.new("RGB", (width, height + legend), (255, 255, 255))
    pixels = image.load()
    assert pixels is not None
    for y in range(height):
        lat = 90.0 - (y + 0.5) * 180.0 / height
        for x in range(width):
            lon = -180.0 + (x + 0.5) * 360.0 / width
            code = borders.country_at(lat, lon)
            level = None if code is None else cover.levels.get(code, Level.NOTHING)
            pixels[x, y] = COLOURS[level]
    pen = ImageDraw.Draw(image)
    top = height + 12
    for i, level in enumerate(LABELS):
        y = top + 30 * i
        pen.rectangle((16, y, 36, y + 18), fill=COLOURS[level], outline=(90, 90, 90))
        count = cover.count(level) if level is not Level.NOTHING else None
        text = LABELS[level] + (f" ({count} countries)" if count is not None else "")
        pen.text((46, y + 3), text, fill=(20, 20, 20))
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG", optimize=True)
    return out
