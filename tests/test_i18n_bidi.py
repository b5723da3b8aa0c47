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
