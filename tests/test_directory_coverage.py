"""`resources map`: each country coloured by what the directory offers there (issue #16)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from bot.directory.cli import main
from bot.directory.coverage import COLOURS, Level

CSV = """\
id,name,categories,country,city,latitude,longitude,national,phone,last_verified
gb-shelter,Test Shelter,shelter,GB,London,51.51,-0.13,false,,2026-11-01
gb-999,Emergency services,emergency,GB,,,,true,999,2026-11-01
de-line,Test Helpline,hotline,DE,,,,true,116 016,2026-11-01
br-190,Emergency,emergency,BR,,,,true,190,2026-11-01
br-sp-police,Police,emergency,BR,São Paulo,-23.55,-46.63,false,190,2026-11-01
"""


def pixel(image: Image.Image, lat: float, lon: float) -> tuple[int, int, int]:
    width = image.width
    height = width // 2
    x = int((lon + 180.0) / 360.0 * width)
    y = int((90.0 - lat) / 180.0 * height)
    return image.getpixel((x, y))  # type: ignore[return-value]


def test_the_map_colours_each_country_by_what_it_has(tmp_path: Path, capsys) -> None:
    source = tmp_path / "resources.csv"
    source.write_text(CSV, encoding="utf-8")
    out = tmp_path / "coverage.png"
    assert main(["map", str(source), "-o", str(out), "--width", "720"]) == 0
    printed = capsys.readouterr().out
    assert "3 countries" in printed and "1 with local services" in printed
    image = Image.open(out).convert("RGB")
    assert pixel(image, 52.5, -1.5) == COLOURS[Level.LOCAL_SERVICES]  # England
    assert pixel(image, 51.0, 10.0) == COLOURS[Level.NATIONAL_LINE]  # Germany
    # A city's own emergency number is not a local service to go to.
    assert pixel(image, -10.0, -50.0) == COLOURS[Level.EMERGENCY_ONLY]  # Brazil
    assert pixel(image, 40.0, -100.0) == COLOURS[Level.NOTHING]  # the US, not in this file
    assert pixel(image, 0.0, -30.0) == COLOURS[None]  # the Atlantic
