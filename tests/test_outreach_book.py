import re
import subprocess
import tempfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.flows.routes import Route
from bot.flows.screen import Button, Screen
from bot.outreach.book import Book, BookPage, book_main, render_html

# Test rows only: the numbers are made up and never shipped.
RESOURCES = """\
id,name,categories,country,national,phone,languages,last_verified
gb-emergency,Emergency services,emergency,GB,true,999,,2026-11-27
gb-line,Example line,hotline,GB,true,+44 20 7946 0000,en,2026-11-27
"""
CHROMIUM = Path("/usr/bin/chromium")


class _Anchors(HTMLParser):
    """The ids a page defines, the in-page links it has, and its <html> attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.toc_links: list[str] = []
        self.html_attrs: dict[str, str | None] = {}
        self._in_toc = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.html_attrs = found
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if tag == "nav" and found.get("id") == "book-contents":
            self._in_toc = 1
        elif tag == "nav" and self._in_toc:
            self._in_toc += 1
        href = found.get("href") or ""
        if tag == "a" and href.startswith("#"):
            self.links.append(href[1:])
            if self._in_toc:
                self.toc_links.append(href[1:])

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._in_toc:
            self._in_toc -= 1


def parsed(html: str) -> _Anchors:
    parser = _Anchors()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def resources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "resources.csv"
    path.write_text(RESOURCES, encoding="utf-8")
    return path


def make_book(out: Path, resources: Path, *args: str) -> Path:
    status = book_main([*args, "--resources", str(resources), "-o", str(out)])
    assert status == 0
    return out


@pytest.fixture(scope="module")
def gb_book(tmp_path_factory: pytest.TempPathFactory, resources: Path) -> Path:
    out = tmp_path_factory.mktemp("book") / "book.html"
    return make_book(out, resources, "--lang", "en", "--country", "GB")


def test_gb_book_has_the_nrm_page_and_the_international_pages(gb_book: Path) -> None:
    html = gb_book.read_text(encoding="utf-8")
    ids = parsed(html).ids
    assert "page-gb_nrm" in ids
    assert "The National Referral Mechanism (NRM)" in html
    # Topics the UK pack does not cover come from the international pack, and say so.
    assert "page-am_i_trafficked" in ids
    assert "page-hotline_confidentiality" in ids
    assert "International rules: we have no page on this topic just for your country" in html
    # Sources are part of the page text, with their addresses as links.
    assert "Modern Slavery Act 2015" in html
    assert '<a href="https://www.legislation.gov.uk/ukpga/2022/36/section/64"' in html
    assert "rj" in ids and "menu" in ids


def test_gb_book_names_language_country_date_and_what_the_bot_keeps(gb_book: Path) -> None:
    html = gb_book.read_text(encoding="utf-8")
    assert "Language: English (en)" in html
    assert "Country: United Kingdom (GB)" in html
    assert re.search(r"Generated <span class=\"nowrap\">\d{4}-\d{2}-\d{2}</span>", html)
    assert "automated" in html and "It never keeps what a person types" in html


def test_every_contents_link_leads_to_a_screen_in_the_book(gb_book: Path) -> None:
    page = parsed(gb_book.read_text(encoding="utf-8"))
    assert len(page.toc_links) >= 20
    assert len(set(page.toc_links)) == len(page.toc_links)
    assert set(page.links) <= page.ids  # buttons' links too


def test_buttons_are_listed_with_where_they_lead(gb_book: Path) -> None:
    html = gb_book.read_text(encoding="utf-8")
    assert '<span class="button">⚖️ Your rights</span>' in html
    assert re.search(r'<span class="button">The NRM \(UK\)</span> <span class="leads">→</span> '
                     r'<a href="#page-gb_nrm">', html)
    assert "quick exit: deletes this chat" in html
    # A country button is not followed: the book stays in its country.
    assert "sets the country to France (make a book with --country FR)" in html


def test_book_has_no_script(gb_book: Path) -> None:
    assert "<script" not in gb_book.read_text(encoding="utf-8").lower()


def test_book_escapes_titles_text_and_labels() -> None:
    bad = "<script>alert(1)</script>"
    screen = Screen(
        title=bad,
        text=f"{bad} https://example.org/?a=1&b=<x>",
        rows=((Button(bad, Route("menu")), Button(bad, url="javascript:alert(1)")),),
    )
    page = BookPage("menu", Route("menu"), screen, "Start")
    html = render_html(Book("en", "GB", date(2026, 1, 1), (page,), {"w1|menu": "menu"}))
    assert "<script" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org/?a=1&amp;b=" rel="noreferrer">' in html


def test_arabic_book_is_right_to_left(tmp_path: Path, resources: Path) -> None:
    html = make_book(tmp_path / "ar.html", resources, "--lang", "ar").read_text(encoding="utf-8")
    assert parsed(html).html_attrs == {"lang": "ar", "dir": "rtl"}
    assert "Arabic (العربية, ar)" in html
    # Reviewers see what Telegram gets: Latin runs and numbers in isolates, links intact.
    assert "\u2066" in html and "\u2069" in html
    assert not re.search(r'href="[^"]*[\u2066-\u2069]', html)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "xx"], "unknown language 'xx'"),
        (["--lang", "en", "--country", "QQ"], "unknown country 'QQ'"),
    ],
)
def test_unknown_language_or_country_is_refused_in_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "book.html"
    assert book_main([*args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_book_without_a_directory_still_renders_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.csv"
    html = make_book(tmp_path / "b.html", missing, "--lang", "en", "--country", "GB").read_text(
        encoding="utf-8"
    )
    assert "could not be opened" in html and "could not be opened" in capsys.readouterr().err
    assert "page-gb_nrm" in parsed(html).ids


def test_book_leaves_no_index_behind(
    tmp_path: Path, resources: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    html = make_book(tmp_path / "b.html", resources, "--lang", "en").read_text(encoding="utf-8")
    assert "Country: none chosen" in html and "📍 International rules." in html
    assert list(scratch.iterdir()) == []


def test_chromium_renders_the_contents_and_the_pages(gb_book: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
    ]
    url = gb_book.resolve().as_uri()
    dom = subprocess.run(
        [*command, "--dump-dom", url], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    page = parsed(dom)
    assert "book-contents" in page.ids and "page-gb_nrm" in page.ids
    assert set(page.toc_links) <= page.ids
    assert "The National Referral Mechanism (NRM)" in dom

    png = tmp_path / "book.png"
    subprocess.run(
        [*command, f"--screenshot={png}", "--window-size=1000,1400", url],
        capture_output=True, timeout=60, check=True,
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000


def test_unreviewed_translations_are_marked_on_each_screen(tmp_path: Path, resources: Path) -> None:
    uk = make_book(tmp_path / "uk.html", resources, "--lang", "uk").read_text(encoding="utf-8")
    assert 'class="unreviewed"' in uk and "Not yet reviewed by a native speaker" in uk
    en = make_book(tmp_path / "en.html", resources, "--lang", "en").read_text(encoding="utf-8")
    assert 'class="unreviewed"' not in en
