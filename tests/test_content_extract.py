"""Page text reaches the translators: pybabel picks up every title, label and body of the packs."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from bot.content import PACKS_DIR, ContentLibrary
from bot.content.extract import extract_packs

ROOT = Path(__file__).resolve().parent.parent
MAPPING = """
[extractors]
packs = bot.content.extract:extract_packs

[packs: content/packs/**.toml]
"""


def test_extraction_yields_every_title_label_and_body_with_page_and_sources():
    path = PACKS_DIR / "gb.toml"
    with path.open("rb") as fileobj:
        found = list(extract(extract_packs, fileobj))
    messages = {message: (lineno, comments) for lineno, message, comments, _context in found}
    library = ContentLibrary.load()
    for page in library.pack("gb").pages:
        for text in (page.title, page.label, page.body):
            assert text in messages, text[:40]
        lineno, comments = messages[page.body]
        assert any(page.id in c for c in comments)
        assert any(c.startswith("Sources: ") and page.sources[0].cite in c for c in comments)
        body_line = path.read_text(encoding="utf-8").splitlines()[lineno - 1]
        assert body_line.startswith("body")


def test_the_extracted_text_is_exactly_what_the_bot_looks_up():
    library = ContentLibrary.load()
    extracted = set()
    for toml in sorted(PACKS_DIR.glob("*.toml")):
        with toml.open("rb") as fileobj:
            extracted |= {message for _l, _f, message, _c in extract_packs(fileobj, [], [], {})}
    shown = {p.title for p in library.all_pages()} | {p.body for p in library.all_pages()}
    shown |= {p.label for p in library.all_pages()}
    assert shown == extracted


def test_a_broken_pack_yields_nothing_rather_than_failing_the_extraction():
    assert list(extract_packs(io.BytesIO(b'pack = "x"\n[[page]\n'), [], [], {})) == []


def test_the_pybabel_mapping_picks_up_the_packs():
    method_map, options_map = parse_mapping_cfg(io.StringIO(MAPPING))
    found = list(extract_from_dir(str(ROOT), method_map=method_map, options_map=options_map))
    files = {filename for filename, *_ in found}
    assert "content/packs/international.toml" in files
    assert "content/packs/restorative.toml" in files
    assert any(message == "Is this trafficking?" for _f, _l, message, _c, _x in found)
