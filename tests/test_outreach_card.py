import re
from datetime import date

import pytest
from PIL import Image

from bot.directory.schema import Service
from bot.outreach.card import (
    HEIGHT_MM,
    WIDTH_MM,
    Card,
    NationalNumbers,
    national_numbers,
    render,
)
from bot.outreach.cli import card_main

BOT = "WaypointTestBot"
# Test rows only: the numbers are made up and never shipped.
RESOURCES = """\
id,name,categories,country,national,phone,languages,last_verified
de-emergency,Emergency services,emergency,DE,true,112,,2026-11-27
de-line-en,Example line,hotline,DE,true,+49 30 12345678,en,2026-11-27
de-line-es,Example line,hotline,DE,true,+49 30 87654321,es|en,2026-11-27
de-local,Example shelter,shelter|hotline,DE,false,+49 30 11111111,,2026-11-27
"""


@pytest.fixture
def resources(tmp_path):
    path = tmp_path / "resources.csv"
    path.write_text(RESOURCES, encoding="utf-8")
    return path


def make_card(capsys, resources, output, lang="es", country="DE"):
    status = card_main(
        [
            "--username", BOT, "--lang", lang, "--country", country,
            "--resources", str(resources), "-o", str(output),
        ]
    )  # fmt: skip
    out, err = capsys.readouterr()
    return status, out, err


def test_png_card_is_bank_card_size_at_300_dpi(capsys, resources, tmp_path):
    output = tmp_path / "card.png"
    status, out, err = make_card(capsys, resources, output)
    assert status == 0
    assert err == ""
    assert out.strip() == str(output)
    with Image.open(output) as image:
        assert image.size == (1011, 638)
        assert round(image.info["dpi"][0]) == 300


def test_pdf_card_page_is_85_6_by_54_mm(capsys, resources, tmp_path):
    output = tmp_path / "card.pdf"
    status, _, _ = make_card(capsys, resources, output)
    assert status == 0
    data = output.read_bytes()
    assert data.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[ *0 0 ([\d.]+) ([\d.]+) *\]", data)
    assert box is not None
    width_mm, height_mm = (float(v) / 72 * 25.4 for v in box.groups())
    assert width_mm == pytest.approx(WIDTH_MM, abs=0.2)
    assert height_mm == pytest.approx(HEIGHT_MM, abs=0.2)


def test_card_for_a_country_without_numbers_is_made_with_a_note(capsys, resources, tmp_path):
    status, _, err = make_card(capsys, resources, tmp_path / "card.png", country="FR")
    assert status == 0
    assert "no national emergency number for FR" in err
    assert "no national hotline for FR" in err


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["--lang", "xx", "--country", "DE", "-o", "c.png"], "language"),
        (["--lang", "es", "--country", "QQ", "-o", "c.png"], "country"),
        (["--lang", "es", "--country", "DE", "-o", "c.jpg"], ".png or .pdf"),
        (["--lang", "es", "-o", "c.png"], "--country"),
    ],
)
def test_bad_card_requests_are_refused(capsys, resources, tmp_path, argv, names):
    status = card_main(["--username", BOT, "--resources", str(resources), *argv])
    _, err = capsys.readouterr()
    assert status == 2
    assert names in err
    assert err.count("\n") == 1


def test_missing_resources_file_is_refused(capsys, tmp_path):
    status = card_main(
        ["--username", BOT, "--lang", "es", "--country", "DE",
         "--resources", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "c.png")]
    )  # fmt: skip
    _, err = capsys.readouterr()
    assert status == 2
    assert "cannot read" in err
    assert not (tmp_path / "c.png").exists()


def service(sid, categories, phone, national=True, country="DE", languages=()):
    return Service(
        id=sid,
        name="Example",
        categories=categories,
        country=country,
        last_verified=date(2026, 11, 27),
        national=national,
        phone=phone,
        languages=languages,
    )


def test_numbers_come_from_national_rows_of_the_country_only():
    services = [
        service("local", ("hotline",), "+49 30 1", national=False),
        service("fr", ("emergency",), "112", country="FR"),
        service("no-phone", ("hotline",), ""),
        service("de-112", ("emergency",), "112"),
        service("de-line", ("hotline",), "+49 30 2"),
    ]
    assert national_numbers(services, "de", "en") == NationalNumbers("112", "+49 30 2")


def test_hotline_in_the_cards_language_comes_first():
    services = [
        service("en", ("hotline",), "+49 30 1", languages=("en",)),
        service("es", ("hotline",), "+49 30 2", languages=("es",)),
    ]
    assert national_numbers(services, "DE", "es").hotline == "+49 30 2"
    assert national_numbers(services, "DE", "fr").hotline == "+49 30 1"


def test_card_renders_without_numbers_too():
    image = render(
        Card(url=f"https://t.me/{BOT}?start=v1-es", lang="es", numbers=NationalNumbers())
    )
    assert image.size == (1011, 638)


def test_card_words_are_neutral_and_go_through_the_catalog(monkeypatch):
    import bot.outreach.card as card_module
    from bot.i18n import translator

    asked: list[str] = []

    class Recording:
        def gettext(self, message):
            asked.append(message)
            return translator("en").gettext(message)

        def pgettext(self, context, message):
            asked.append(message)
            return translator("en").pgettext(context, message)

    monkeypatch.setattr(card_module, "translator", lambda lang: Recording())
    render(Card(url=f"https://t.me/{BOT}?start=v1-es", lang="es", numbers=NationalNumbers("112")))
    assert "Scan to open a private chat." in asked
    for word in ("traffick", "exploit", "victim", "abuse", "rights", "justice"):
        assert not any(word in message.lower() for message in asked)


def test_missing_script_font_is_reported_not_hidden(capsys, resources, tmp_path, monkeypatch):
    import bot.outreach.card as card_module
    import bot.outreach.fonts as fonts

    class Thai:
        def gettext(self, message):
            return "สแกนเพื่อเปิดแชทส่วนตัว"

        def pgettext(self, context, message):
            return "ฉุกเฉิน"

    monkeypatch.setattr(card_module, "translator", lambda lang: Thai())
    monkeypatch.setattr(fonts, "installed", lambda: {})
    monkeypatch.setattr(fonts, "for_language", lambda lang: ())
    output = tmp_path / "card.png"
    status, _, err = make_card(capsys, resources, output, lang="th")
    assert status == 0
    assert output.exists()
    assert "no installed font" in err
