"""The translation gate: a shipped language is complete, or it is not offered.

Shipped = every locales/<ll>/LC_MESSAGES/messages.po.  Each must hold every message of the
source code and content (extracted afresh here, so a stale messages.pot cannot hide one),
with no untranslated or fuzzy entry and the same {placeholders} as the source.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, compile_catalogs, shipped_languages

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


@lru_cache(maxsize=1)
def source_messages() -> frozenset[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    methods = [("**.py", "python")]
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT / "bot"), method_map=methods, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.add((context, msgid))
    packs = ROOT / "content" / "packs"
    if packs.exists():
        from bot.content.extract import extract_packs

        for toml in sorted(packs.glob("**/*.toml")):
            with toml.open("rb") as fileobj:
                for _line, _func, message, _comments in extract_packs(fileobj, [], [], {}):
                    found.add((None, message))
    return frozenset(found)


def test_the_source_has_messages_to_translate():
    assert len(source_messages()) > 20


def test_the_template_lists_every_message_of_the_source():
    pot = LOCALES_DIR / "messages.pot"
    with pot.open("rb") as f:
        catalog = read_po(f)
    in_pot = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}
    missing = source_messages() - in_pot
    assert not missing, f"run `make messages`: {len(missing)} missing, e.g. {sorted(missing)[:3]}"


@pytest.mark.parametrize("lang", [lang for lang in shipped_languages() if lang != "en"])
def test_a_shipped_locale_is_complete_and_keeps_placeholders(lang):
    po = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    by_key = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}
    problems = []
    for key in sorted(source_messages(), key=str):
        message = by_key.get(key)
        if message is None:
            problems.append(f"missing: {key[1][:50]!r}")
            continue
        if message.fuzzy:
            problems.append(f"{po.name}:{message.lineno}: fuzzy")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"{po.name}:{message.lineno}: untranslated")
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != wanted:
                problems.append(f"{po.name}:{message.lineno}: placeholders differ")
    assert not problems, f"{lang}: {len(problems)} problems: {problems[:10]}"


def test_every_catalog_compiles(tmp_path):
    compile_catalogs()


def test_a_catalog_that_does_not_compile_is_named_with_its_line(tmp_path):
    from bot.i18n import CatalogError

    po = tmp_path / "xx" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n\nmsgid "Hello"\nmsgstr "Hola\n\nmsgid broken\n')
    with pytest.raises(CatalogError) as caught:
        compile_catalogs(tmp_path)
    assert str(po) in str(caught.value)
    assert ":" in str(caught.value).replace(str(po), "", 1)[:3]


def test_a_reviewers_mark_is_counted(tmp_path) -> None:
    from bot.i18n import review_status

    folder = tmp_path / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        "# reviewed: 2026-12-05 A. Reviewer\n"
        'msgctxt "button"\nmsgid "Yes"\nmsgstr "Так"\n\n'
        'msgid "No"\nmsgstr "Ні"\n',
        encoding="utf-8",
    )
    reviewed, total = review_status("xx", tmp_path)
    assert reviewed == frozenset({("button", "Yes")}) and total == 2
