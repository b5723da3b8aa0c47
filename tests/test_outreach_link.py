import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from bot.outreach.cli import link_main
from bot.outreach.link import QUIET_ZONE, LinkError, check_username, qr_code

BOT = "WaypointTestBot"


def run(capsys, *argv):
    status = link_main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_link_prints_the_t_me_link(capsys):
    status, out, err = run(
        capsys, "--username", BOT, "--lang", "es", "--country", "de", "--topic", "help"
    )
    assert status == 0
    assert out == f"https://t.me/{BOT}?start=v1-es-DE-3\n"
    assert err == ""


def test_link_accepts_at_sign_and_no_country(capsys):
    status, out, _ = run(capsys, "--username", "@" + BOT, "--lang", "uk")
    assert (status, out) == (0, f"https://t.me/{BOT}?start=v1-uk\n")


def test_png_qr_code_is_print_sized_and_holds_the_link(capsys, tmp_path):
    path = tmp_path / "qr.png"
    status, out, _ = run(
        capsys, "--username", BOT, "--lang", "ro", "--country", "RO", "--qr", str(path)
    )
    assert status == 0
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width == image.height
        assert 500 <= image.width <= 700
        pixels = image.convert("L")
        # Without a QR reader, compare the dark modules with the symbol segno makes for the link.
        qr = qr_code(out.strip())
        modules = qr.symbol_size(scale=1, border=QUIET_ZONE)[0]
        scale = image.width // modules
        assert image.width == modules * scale
        for y, row in enumerate(qr.matrix_iter(scale=1, border=QUIET_ZONE)):
            for x, dark in enumerate(row):
                centre = (x * scale + scale // 2, y * scale + scale // 2)
                assert (pixels.getpixel(centre) < 128) == bool(dark)


def test_svg_qr_code_is_measured_in_millimetres(capsys, tmp_path):
    path = tmp_path / "qr.svg"
    status, _, _ = run(
        capsys, "--username", BOT, "--lang", "ar", "--country", "FR", "--qr", str(path)
    )
    assert status == 0
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    width = root.get("width", "")
    assert width.endswith("mm")
    assert 25 <= float(width.removesuffix("mm")) <= 60


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["--username", BOT, "--lang", "xx"], "language"),
        (["--username", BOT, "--lang", "es", "--country", "QQ"], "country"),
        (["--username", BOT, "--lang", "es", "--topic", "escape"], "topic"),
        (["--username", "bot", "--lang", "es"], "username"),
        (["--username", "Waypoint", "--lang", "es"], "username"),
        (["--username", "way-point_bot", "--lang", "es"], "username"),
        (["--username", "_waypointbot", "--lang", "es"], "username"),
        (["--username", "a" * 30 + "bot", "--lang", "es"], "username"),
        (["--username", BOT, "--lang", "es", "--qr", "qr.jpg"], ".png or .svg"),
        (["--lang", "es"], "--username"),
        (["--username", BOT, "--lang", "es", "--colour", "red"], "unrecognized"),
    ],
)
def test_bad_input_is_refused_with_one_sentence_and_status_2(capsys, argv, names):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert names in err
    assert err.count("\n") == 1
    assert err.rstrip().endswith(".")


def test_help_exits_cleanly(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert "--username" in out


@pytest.mark.parametrize("name", ["abcbot", "My_Helper_Bot", "x" * 29 + "BOT"])
def test_valid_bot_usernames_pass(name):
    assert check_username(name) == name


@pytest.mark.parametrize("name", ["abbot"[:4], "x" * 30 + "bot", "helper", "1abcbot"])
def test_invalid_bot_usernames_fail(name):
    with pytest.raises(LinkError):
        check_username(name)
