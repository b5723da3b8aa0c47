"""The content packs as a lawyer would check them: sourced, dated, honest, and all reachable."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.content import PACKS_DIR, ContentError, ContentLibrary, validate
from bot.content.checks import reachable

REQUIRED_COUNTRIES = {
    "GB", "US", "CA", "DE", "FR", "ES", "IT", "NL", "PL", "RO", "UA", "NG", "PH", "TH", "MX", "IN",
}  # fmt: skip
EU_MEMBERS_WITH_PACKS = {"DE", "FR", "ES", "IT", "NL", "PL", "RO"}

# Every phone number the facts sheet gives.  Numbers reach people only through resources.csv and
# the "talk" screen, so none of them may appear in page text.
FACTS_SHEET_NUMBERS = [
    "08000 121 700", "1-833-900-1010", "116 016", "1-888-373-7888", "233733", "711",
    "900 10 50 90", "900 759 759", "800 290 290", "033 448 11 86", "0900 8844", "0800 5151",
    "112", "628 01 20", "628 99 99", "0800 800 678", "0757 749 845", "527", "1547",
    "284 19 15", "627", "0703 000 0203", "1343", "1300", "130 1300", "800 5533 000",
    "800 00 854 00", "1098", "181", "263 911 76", "911",
]  # fmt: skip


@pytest.fixture(scope="module")
def library() -> ContentLibrary:
    return ContentLibrary.load()


def _words(pages) -> str:
    return "\n".join(f"{p.title}\n{p.label}\n{p.body}" for p in pages)


def _country_pages(library: ContentLibrary, country: str | None):
    """Every page a person in `country` can reach from the rights or restorative menu."""
    todo = [p.id for p in library.rights_topics(country)]
    todo += [p.id for p in library.restorative_topics()]
    seen: dict[str, object] = {}
    while todo:
        page_id = todo.pop()
        if page_id in seen:
            continue
        page = library.page(page_id, country)
        if page is not None:
            seen[page_id] = page
            todo += page.links
    return list(seen.values())


def test_the_shipped_packs_have_no_problems():
    assert validate() == []


def test_every_required_country_has_a_pack_with_the_right_fallback(library):
    assert set(library.countries()) >= REQUIRED_COUNTRIES
    for pack in library.packs():
        if pack.country in EU_MEMBERS_WITH_PACKS:
            assert pack.falls_back_to == "eu", pack.id
        elif pack.country:
            assert pack.falls_back_to == "international", pack.id
    assert library.pack("eu").falls_back_to == "international"
    assert library.pack("international").falls_back_to is None


def test_every_page_has_sources_a_review_date_and_a_short_body(library):
    for page in library.all_pages():
        assert page.sources, page
        assert all(s.cite for s in page.sources)
        assert page.last_reviewed.year >= 2026
        assert len(page.body) <= 1200, (page.pack, page.id)
        assert len(page.label) <= 30, (page.pack, page.id)


def test_every_page_is_reachable_from_a_menu(library):
    reached = reachable(library)
    assert {(p.pack, p.id) for p in library.all_pages()} == reached


def test_a_country_page_overrides_and_the_rest_falls_back_along_the_chain(library):
    assert library.page("reflection_period", "DE").pack == "de"
    assert library.page("reflection_period", "it").pack == "eu"
    assert library.page("reflection_period", "US").pack == "international"
    assert library.page("am_i_trafficked", "FR").pack == "eu"
    assert library.page("am_i_trafficked", None).pack == "international"
    assert library.page("am_i_trafficked", "BR").pack == "international"
    assert library.page("rj_safeguards", "GB").pack == "restorative"
    assert library.page("gb_nrm", "US") is None


def test_the_rights_menu_keeps_the_base_order_and_slots_country_topics_in(library):
    base = [p.id for p in library.rights_topics(None)]
    assert base[0] == "am_i_trafficked"
    us = [p.id for p in library.rights_topics("US")]
    assert us.index("record") == us.index("non_punishment") + 1
    assert us.index("us_t_visa") == us.index("staying") + 1
    assert us.index("us_continued_presence") == us.index("us_t_visa") + 1
    gb = [p.id for p in library.rights_topics("GB")]
    assert gb.index("gb_nrm") == gb.index("am_i_trafficked") + 1
    assert set(base) <= set(gb)


def test_gb_us_and_ca_pages_name_their_own_mechanisms_and_no_one_else_does(library):
    mechanisms = {
        "GB": ["National Referral Mechanism", "NRM"],
        "US": ["T visa", "Continued Presence"],
        "CA": ["temporary resident permit"],
    }
    for country in (None, *library.countries()):
        text = _words(_country_pages(library, country))
        for owner, names in mechanisms.items():
            for name in names:
                if country == owner:
                    assert name in text, (country, name)
                else:
                    assert not re.search(rf"\b{re.escape(name)}\b", text), (country, name)


def test_no_page_text_contains_a_phone_number(library):
    for page in library.all_pages():
        text = f"{page.title} {page.label} {page.body}"
        for number in FACTS_SHEET_NUMBERS:
            assert not re.search(rf"(?<![\d§.]){re.escape(number)}(?![\d])", text), (
                page.pack,
                page.id,
                number,
            )
        for source in page.sources:
            digits = re.sub(r"\D", "", source.url or "")
            assert "900759759" not in digits and "1343" not in (source.url or "")


def test_nothing_marked_unverified_is_stated(library):
    text = _words(library.all_pages())
    # Each is UNVERIFIED or [P] in the facts sheet.
    assert "3 years" not in _words([library.page("staying", "CA")])  # longer TRP
    assert "Istanbul" not in text
    assert "surrogate dialogue" not in text.lower()
    assert "Art. 13(3)" not in text  # CETS 197 exceptions to the reflection period: not retrieved
    assert "cannot be sent out" not in text  # the reflection period is not an absolute bar
    assert "15 July 2026" not in text  # 2024/1712 transposition deadline, [P]
    assert "referral mechanisms" not in text  # 2024/1712 victim-support changes
    spain = library.page("reflection_period", "ES").body
    assert not re.search(r"\d+\s*(days|months)", spain)  # its length is UNVERIFIED
    assert library.page("reflection_period", "IT").pack == "eu"  # Italy's: UNVERIFIED
    cp = library.page("us_continued_presence", "US").body
    assert not re.search(r"\b(1|one|2|two) years?\b", cp)  # sources conflict on its length
    for page in library.all_pages():
        for source in page.sources:
            # CETS 197 Art. 16 (return) and Art. 10(2) (no removal) are unverified; Art. 16 of
            # EU directives (2012/29 compensation, 2011/36 unaccompanied children) is verified.
            assert "Art. 10(2)" not in source.cite  # 10(3) and 10(4) are verified
            assert "Art. 16" not in source.cite or "/EU" in source.cite


def test_the_restorative_safeguards_page_carries_each_safeguard_with_its_source(library):
    page = library.page("rj_safeguards", None)
    body = page.body
    cites = " | ".join(s.cite for s in page.sources)
    safeguards = {
        "in your interest": "Art. 12(1)(a)",
        "free and informed consent": "Art. 12(1)(a)",
        "withdraw at any time": "Art. 12(1)(a)",
        "accepted the basic facts": "Art. 12(1)(c)",
        "confidential": "Art. 12(1)(e)",
    }
    for words, article in safeguards.items():
        assert words in body, words
        line = next(line for line in body.splitlines() if words in line)
        assert article in line, (words, line)
        assert article.replace("Art. ", "") in cites
    assert "CM/Rec(2018)8" in cites
    assert "2012/29/EU" in cites


def test_the_restorative_section_covers_forms_risks_questions_and_how_to_ask(library):
    ids = [p.id for p in library.restorative_topics()]
    for wanted in ("rj_what", "rj_forms", "rj_indirect", "rj_safeguards", "rj_risks",
                   "rj_questions", "rj_right_for_me", "rj_how"):  # fmt: skip
        assert wanted in ids
    indirect = library.page("rj_indirect", None).body.lower()
    for form in ("letters", "shuttle mediation", "recordings", "messages"):
        assert form in indirect
    assert "help" in library.page("rj_how", None).actions
    assert "reflect" in library.page("rj_right_for_me", None).actions
    assert "safety comes first" in library.page("rj_risks", None).body.lower()


def _copy_packs(tmp_path: Path) -> Path:
    target = tmp_path / "packs"
    shutil.copytree(PACKS_DIR, target)
    return target


def test_validate_names_a_missing_source_a_dangling_link_and_a_phone_number(tmp_path):
    packs = _copy_packs(tmp_path)
    (packs / "zz.toml").write_text(
        """
pack = "zz"
name = "Testland"
falls_back_to = "international"
last_reviewed = 2026-11-27

[[page]]
id = "support"
menu = "rights"
title = "Help"
body = "Call 0800 123 4567 now."
sources = []
links = ["nowhere"]
last_reviewed = 2026-11-27

[[page]]
id = "zz_orphan"
title = "Orphan"
body = "No one links here."
sources = [{ cite = "Somewhere, Art. 1" }]
last_reviewed = 2026-11-27
""",
        encoding="utf-8",
    )
    problems = "\n".join(validate(packs))
    assert "zz.toml: page support: sources" in problems
    assert "link 'nowhere' goes nowhere" in problems
    assert "phone number" in problems
    assert "zz_orphan: not reachable" in problems


def test_validate_names_a_page_without_a_date_and_a_pack_named_unlike_its_file(tmp_path):
    packs = _copy_packs(tmp_path)
    head, first_page, rest = (packs / "mx.toml").read_text(encoding="utf-8").partition("[[page]]")
    rest = rest.replace("last_reviewed = 2026-11-27\n", "", 1)
    (packs / "mx.toml").write_text(
        head.replace('pack = "mx"', 'pack = "mex"') + first_page + rest, encoding="utf-8"
    )
    problems = "\n".join(validate(packs))
    assert "must match the file name" in problems
    assert "last_reviewed must be a date" in problems


def test_loading_broken_toml_raises_a_content_error_naming_the_file(tmp_path):
    packs = _copy_packs(tmp_path)
    (packs / "gb.toml").write_text('pack = "gb"\n[[page]\n', encoding="utf-8")
    with pytest.raises(ContentError, match="gb.toml"):
        ContentLibrary.load(packs)


def test_validate_names_a_sentence_over_thirty_words_and_a_mirror_or_unknown_source(tmp_path):
    packs = _copy_packs(tmp_path)
    long_sentence = " ".join(["word"] * 31) + "."
    (packs / "zz.toml").write_text(
        f"""
pack = "zz"
name = "Testland"
falls_back_to = "international"
last_reviewed = 2026-11-27

[[page]]
id = "support"
menu = "rights"
title = "Help"
body = "Short first. {long_sentence} Short last."
sources = [
  {{ cite = "Act, s. 1", url = "https://crimeline.co.uk/legislationdisplay/?leg=x" }},
  {{ cite = "Blog, s. 2", url = "https://someblog.example/post" }},
  {{ cite = "Act, s. 3", url = "https://www.legislation.gov.uk/ukpga/2015/30/section/45" }},
]
last_reviewed = 2026-11-27
""",
        encoding="utf-8",
    )
    problems = "\n".join(validate(packs))
    assert "zz.toml: page support: sentence of 31 words" in problems
    assert "crimeline.co.uk" in problems
    assert "someblog.example" in problems
    assert "legislation.gov.uk" not in problems


def test_a_citation_abbreviation_does_not_end_a_sentence():
    from bot.content.checks import sentences

    assert sentences("See s. 45 and Art. 12 of the Act. Then ask.") == [
        "See s. 45 and Art. 12 of the Act.",
        "Then ask.",
    ]


def test_a_known_mirror_is_refused_even_on_an_official_looking_host():
    from bot.content.checks import source_url_allowed

    assert not source_url_allowed("https://usciss.us/humanitarian/t-visa", "us")
    assert not source_url_allowed("https://library.siam-legal.com/?p=811", "th")
    assert source_url_allowed("https://www.uscis.gov/policy-manual/volume-3", "us")
    assert source_url_allowed("https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=x", "de")
    # An organisation's own site is allowed only for the pack that cites its work.
    assert source_url_allowed("https://numeroverdeantitratta.org", "it")
    assert not source_url_allowed("https://numeroverdeantitratta.org", "gb")
