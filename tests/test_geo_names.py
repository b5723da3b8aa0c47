"""Normalising typed names, and the typo arithmetic the search relies on (no database)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.geo.names import MAX_KEY_CHARS, edit_distance, normalise, similarity
from bot.geo.place import Place
from bot.geo.search import one_typo_patterns


def test_accents_case_and_punctuation_are_set_aside():
    assert normalise("München") == normalise("MUNCHEN") == "munchen"
    assert normalise("Saint-Étienne") == "saint etienne"
    assert normalise("  Rio   de\tJaneiro ") == "rio de janeiro"
    assert normalise("Straße") == "strasse"
    assert normalise("Łódź") == "lodz"
    assert normalise("L’Aquila") == normalise("L'Aquila") == "laquila"
    assert normalise("Hà Nội") == "ha noi"


def test_scripts_are_kept_not_transliterated():
    assert normalise("Мюнхен") == "мюнхен"
    assert normalise("القاهرة") == "القاهره"
    assert normalise("北京") == "北京"
    assert normalise("서울") == "서울"
    # Thai and Devanagari vowel signs are letters, not accents: they stay.
    assert normalise("เชียงใหม่") == "เชียงใหม่"
    assert normalise("लंदन") == "लंदन"


def test_invisible_marks_pasted_with_text_are_dropped():
    assert normalise("\u200fتل أبيب\u200f") == normalise("تل ابيب")
    assert normalise("Ky\u200div\ufeff") == "kyiv"


def test_nothing_left_means_an_empty_key():
    for text in ("", "   ", "👍🙂", '%_"*():^', "\u200f\u200d", None, 42):
        assert normalise(text) == ""  # type: ignore[arg-type]


def test_keys_are_capped_in_length():
    assert len(normalise("x" * 4000)) <= MAX_KEY_CHARS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_normalise_never_raises_and_is_idempotent(text):
    key = normalise(text)
    assert normalise(key) == key
    assert key == key.strip()


def _reference_osa(a: str, b: str) -> int:
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            substitution = d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, substitution)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@settings(max_examples=500, deadline=None)
@given(st.text("abc", max_size=8), st.text("abc", max_size=8), st.integers(1, 3))
def test_banded_edit_distance_agrees_with_the_full_table(a, b, limit):
    assert edit_distance(a, b, limit) == min(_reference_osa(a, b), limit + 1)


def test_a_swap_of_two_letters_is_one_edit():
    assert edit_distance("mnuchen", "munchen", 2) == 1
    assert edit_distance("lyonn", "lyon", 1) == 1


def test_typo_patterns_cover_every_single_typo_after_the_start():
    import fnmatch

    key = "munchen"
    globs, exact = one_typo_patterns(key, 3)

    def matched(name: str) -> bool:
        return name in exact or any(fnmatch.fnmatchcase(name, g) for g in globs)

    assert matched("munxhen")  # wrong letter
    assert matched("munhen")  # missing letter
    assert matched("munchhen")  # extra letter
    assert matched("munhcen")  # swap
    assert matched("munchenx")  # extra letter at the end
    assert not matched("mxnchen")  # before `start`: the reversed index finds that one
    assert not matched("munchenxx")  # two typos


def test_similarity_prefers_the_closer_spelling():
    assert similarity("lyonn", "lyon") > similarity("lyonn", "lonn")


def test_a_label_names_region_and_country_in_the_chosen_language():
    place = Place(4250542, "Springfield", 39.8, -89.64, "US", "Illinois", 114394)
    assert place.label("en") == "Springfield, Illinois, United States"
    assert place.label("es") == "Springfield, Illinois, Estados Unidos"
    assert Place(1, "Kyiv", 50.45, 30.52, "UA").label("uk") == "Kyiv, Україна"
    assert Place(1, "Manila", 14.6, 121.0, "PH").label("tl") == "Manila, Pilipinas"
    assert Place(1, "Beijing", 39.9, 116.4, "CN").label("zh") == "Beijing, 中国"


def test_traditional_and_simplified_chinese_meet_and_other_scripts_stay():
    assert normalise("維也納") == normalise("维也纳") == "维也纳"
    assert normalise("河內") == normalise("河内")
    assert normalise("東京") == normalise("东京")
    assert normalise("Ёлка") == normalise("ёлка")  # folding Chinese leaves Cyrillic alone
    assert normalise("서울") == "서울" and normalise("とうきょう") == "とうきょう"
