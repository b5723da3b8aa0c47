from bot.i18n import LRI, PDI, isolate_ltr_runs


def test_phone_numbers_and_latin_names_are_isolated_in_arabic():
    text = "اتصل على +44 800 012 1700 أو T visa (NRM) ورابط https://example.org/x"
    out = isolate_ltr_runs(text, "ar")
    assert f"{LRI}+44 800 012 1700{PDI}" in out
    assert f"{LRI}T visa (NRM){PDI}" in out
    assert f"{LRI}https://example.org/x{PDI}" in out
    assert out.replace(LRI, "").replace(PDI, "") == text


def test_left_to_right_languages_are_left_alone():
    assert isolate_ltr_runs("Call +44 800 012 1700", "en") == "Call +44 800 012 1700"


def shown(text: str) -> str:
    """What an Arabic screen looks like, left to right, after the Unicode bidi algorithm."""
    from bidi import get_display

    visual = get_display(isolate_ltr_runs(text, "ar"), base_dir="R")
    return visual.replace(LRI, "").replace(PDI, "")


def test_bracketed_abbreviations_keep_their_brackets_in_arabic():
    assert "(NRM)" in shown("الإحالة عبر الآلية الوطنية (NRM) طوعية")
    assert "NRM))" not in shown("الإحالة عبر الآلية الوطنية (NRM) طوعية")


def test_nested_article_numbers_read_as_written_in_arabic():
    assert "(Art. 12(1)(a))" in shown("تنص المادة (Art. 12(1)(a)) على ذلك")


def test_accented_latin_names_stay_whole_in_arabic():
    assert "Ley General de Víctimas" in shown("قانون Ley General de Víctimas في المكسيك")
    assert "Sürya" in shown("منظمة Sürya في لييج")
    assert "Trần Hưng Đạo" in shown("شارع Trần Hưng Đạo")


def test_a_closing_bracket_of_the_arabic_sentence_stays_outside_the_run():
    out = isolate_ltr_runs("(راجع NRM)", "ar")
    assert f"{LRI}NRM{PDI})" in out


def test_lists_in_arabic_use_the_arabic_comma():
    out = isolate_ltr_runs("العربية, English, Français", "ar")
    assert "، " in out and ", " not in out


def test_arrows_point_the_way_of_reading_in_right_to_left_catalogs():
    # In Arabic, "back" points right and "next" points left: the arrows of the English
    # labels are mirrored. (▶ as a "play" sign is not a direction.)
    from pathlib import Path

    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parent.parent / "locales/ar/LC_MESSAGES/messages.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    wrong = []
    for message in catalog:
        source, shown_label = message.id, message.string
        if not isinstance(source, str) or source.startswith("▶ Start"):
            continue
        if "◀" in source and ("▶" not in shown_label or "◀" in shown_label):
            wrong.append(shown_label)
        if "▶" in source and ("◀" not in shown_label or "▶" in shown_label):
            wrong.append(shown_label)
    assert not wrong, wrong
