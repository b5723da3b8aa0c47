"""What a reviewer or CI wants to know before a pack goes live: every problem, in words.

Run it with `python -c "from bot.content import validate; print(*validate(), sep='\\n')"`.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from bot.content.library import BASE, PACKS_DIR, RESTORATIVE, ContentLibrary, read_packs
from bot.content.model import Page

MAX_BODY = 1200  # one phone screen; translations grow by a third and still fit Telegram's 4,096
MAX_LABEL = 30  # a button label that is not cut off on a narrow phone
# Seven or more digits in a row, allowing the spaces, dots and dashes phone numbers are written
# with (not "/", which citations such as "286/1998" use).  Numbers come from resources.csv
# through the "talk" screen, never from page text.
_PHONE = re.compile(r"\+?\d(?:[\s.\-()]*\d){6,}")
MAX_SENTENCE_WORDS = 30  # plain language: a longer sentence is split, not shown
# A sentence ends at . ! ? (or a line break) followed by space; "s. 45" and "Art. 12" are not ends.
_SENTENCE_END = re.compile(
    r"(?<!\bs\.)(?<!\bss\.)(?<!\bArt\.)(?<!\bNo\.)(?<!\bnos\.)(?<=[.!?])\s+|\n+"
)

# Where a source `url` may point: the primary text or an official or authoritative page. A host
# is allowed for every pack (intergovernmental bodies, government and legislation sites) or for
# the packs named (the organisation a page cites for its own work). Anything else is either a
# mirror (kept in a "# seen at" comment, never as `url`) or not yet reviewed: both fail.
OFFICIAL_SUFFIXES = (
    ".europa.eu",
    ".coe.int",
    "coe.int",
    "unodc.org",
    "ungift.org",
    "unhcr.org",
    "ohchr.org",
    ".gov",
    ".gov.uk",
    "gov.scot",
    ".gc.ca",
    "canada.ca",
    ".gouv.fr",
    ".gob.mx",
    ".gov.in",
    ".gov.ua",
    ".gov.ph",
    ".go.th",
    ".gov.ng",
    "gesetze-im-internet.de",
    "gazzettaufficiale.it",
    "boe.es",
    "doi.org",
)
AUTHORITATIVE_HOSTS: dict[str, frozenset[str]] = {
    "*": frozenset({"kok-gegen-menschenhandel.de"}),
    "restorative": frozenset({"euforumrj.org", "urban.org", "restorativesolutions.org.uk"}),
    "gb": frozenset({"modernslaveryhelpline.org"}),
    "us": frozenset({"humantraffickinghotline.org", "freedomnetworkusa.org", "htprobono.org"}),
    "ca": frozenset({"canadianhumantraffickinghotline.ca"}),
    "de": frozenset({"hilfetelefon.de"}),
    "fr": frozenset({"association-alc.org", "contrelatraite.org"}),
    "it": frozenset({"numeroverdeantitratta.org"}),
    "nl": frozenset({"wegwijzermensenhandel.nl", "comensha.nl"}),
    "pl": frozenset({"migrant.info.pl"}),
    "ro": frozenset({"eucpn.org", "dopomoha.ro"}),
    "ua": frozenset({"dn.gov.ua", "coalition.org.ua"}),
    "ph": frozenset(),
    "es": frozenset(),
}
# Known copies of other people's texts: never a `url`, whatever an allow-list says.
MIRROR_HOSTS = frozenset(
    {
        "crimeline.co.uk",
        "parliamenttoday.com",
        "wordscope.be",
        "9dok.net",
        "123dok.net",
        "ilovetranslation.com",
        "scribd.com",
        "docslib.org",
        "baliprocess-rso-roadmap.net",
        "indiagovnews.com",
        "siam-legal.com",
        "tolerantnetwork.com",
        "laweuro.com",
        "worldlii.org",
        "usciss.us",
        "law.cornell.edu",
        "lawphil.net",
        "sintact.ro",
        "glosbe.com",
        "garant.ru",
        "exlege.bg",
        "pibtracker.com",
        "cnpereading.com",
        "twiki.owiki.org",
        "jotform.com",
    }
)


def validate(dir: Path = PACKS_DIR) -> list[str]:
    packs, problems = read_packs(dir)
    library = ContentLibrary(packs)
    ids = {p.id for p in packs}
    if BASE not in ids:
        problems.append(f"{dir}: no {BASE}.toml pack")
    for pack in packs:
        where = f"{pack.id}.toml"
        if pack.id == BASE:
            if pack.falls_back_to:
                problems.append(f'{where}: the {BASE} pack falls back to nothing ("")')
        elif pack.falls_back_to not in ids:
            problems.append(f"{where}: falls_back_to {pack.falls_back_to!r} is not a pack")
        elif library.chain(pack.country)[-1].id != BASE and pack.country:
            problems.append(f"{where}: its fallback chain does not end at {BASE}")
        seen: set[str] = set()
        for page in pack.pages:
            if page.id in seen:
                problems.append(f"{where}: page {page.id}: defined twice")
            seen.add(page.id)
            problems += [f"{where}: page {page.id}: {m}" for m in _page_problems(page)]
        problems += _link_problems(library, pack.id)
        for step in (*pack.reflection_steps, *dict(pack.reflection_outcomes).values()):
            if pack.get(step) is None:
                problems.append(f"{where}: reflection page {step!r} is not in this pack")
    problems += _menu_problems(library)
    reached = reachable(library)
    for page in library.all_pages():
        if (page.pack, page.id) not in reached:
            problems.append(f"{page.pack}.toml: page {page.id}: not reachable from any menu")
    return problems


def _page_problems(page: Page) -> list[str]:
    problems = []
    if len(page.body) > MAX_BODY:
        problems.append(f"body is {len(page.body)} characters; keep it under {MAX_BODY}")
    if len(page.label) > MAX_LABEL:
        problems.append(f"label {page.label!r} is longer than {MAX_LABEL} characters")
    for field in (page.title, page.body, page.label):
        if _PHONE.search(field):
            problems.append(
                "contains what looks like a phone number; numbers belong in resources.csv"
            )
    if not page.sources:
        problems.append("has no sources")
    for sentence in sentences(page.body):
        if len(sentence.split()) > MAX_SENTENCE_WORDS:
            problems.append(
                f"sentence of {len(sentence.split())} words (keep it to {MAX_SENTENCE_WORDS}): "
                f"{sentence[:60]!r}…"
            )
    for source in page.sources:
        if source.url is not None and not source_url_allowed(source.url, page.pack):
            problems.append(
                f"source url {source.url!r} is not a primary or official source for this pack; "
                "put a mirror in a '# seen at' comment"
            )
    return problems


def sentences(body: str) -> list[str]:
    """The sentences of a page body; a bullet line ends a sentence too."""
    return [s.strip(" •") for s in _SENTENCE_END.split(body) if s.strip(" •")]


def source_url_allowed(url: str, pack: str) -> bool:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    if any(host == m or host.endswith("." + m) for m in MIRROR_HOSTS):
        return False
    if any(
        host == s.lstrip(".") or host.endswith(s if s.startswith(".") else "." + s)
        for s in OFFICIAL_SUFFIXES
    ):
        return True
    allowed = AUTHORITATIVE_HOSTS["*"] | AUTHORITATIVE_HOSTS.get(pack, frozenset())
    return host in allowed


def _link_problems(library: ContentLibrary, pack_id: str) -> list[str]:
    """A link must resolve wherever the page can be shown: along its own pack's chain."""
    pack = library.pack(pack_id)
    if pack is None:
        return []
    problems = []
    for page in pack.pages:
        for link in page.links:
            if link == page.id:
                problems.append(f"{pack_id}.toml: page {page.id}: links to itself")
            elif _resolve_from(library, pack_id, link) is None:
                problems.append(f"{pack_id}.toml: page {page.id}: link {link!r} goes nowhere")
    return problems


def _resolve_from(library: ContentLibrary, pack_id: str, page_id: str) -> Page | None:
    pack = library.pack(pack_id)
    seen: list[str] = []
    while pack is not None and pack.id not in seen:
        found = pack.get(page_id)
        if found is not None:
            return found
        seen.append(pack.id)
        pack = library.pack(pack.falls_back_to) if pack.falls_back_to else None
    restorative = library.pack(RESTORATIVE)
    return restorative.get(page_id) if restorative is not None else None


def _menu_problems(library: ContentLibrary) -> list[str]:
    problems = []
    base_menus = {p.id: p.menu for pack in library.packs() for p in pack.pages if p.menu}
    for page in library.all_pages():
        if page.menu is None and page.id in base_menus:
            problems.append(
                f"{page.pack}.toml: page {page.id}: overrides a {base_menus[page.id]} menu "
                "topic, so it needs the same menu key"
            )
        if page.after is not None and _resolve_from(library, page.pack, page.after) is None:
            problems.append(f"{page.pack}.toml: page {page.id}: after {page.after!r} is unknown")
    return problems


def reachable(library: ContentLibrary) -> set[tuple[str, str]]:
    """(pack, page id) of every page a person can open from a menu, in any country."""
    reached: set[tuple[str, str]] = set()
    for country in (None, *library.countries()):
        todo = [p.id for p in library.rights_topics(country)]
        todo += [p.id for p in library.restorative_topics()]
        todo += [p.id for p in library.reflection_steps()]
        restorative = library.pack(RESTORATIVE)
        if restorative is not None:
            todo += list(dict(restorative.reflection_outcomes).values())
        seen: set[str] = set()
        while todo:
            page_id = todo.pop()
            if page_id in seen:
                continue
            seen.add(page_id)
            page = library.page(page_id, country)
            if page is not None:
                reached.add((page.pack, page.id))
                todo += page.links
    return reached
