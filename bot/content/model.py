"""The values a content pack is made of: pages, their sources, and the pack itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SUPRANATIONAL = frozenset({"eu"})
# The 27 member states of the European Union (ISO 3166-1 alpha-2).
EU_MEMBERS = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
# The one member state the Victims' Rights Directive (2012/29/EU) does not bind.
NOT_BOUND_BY_VICTIMS_DIRECTIVE = frozenset({"DK"})


@dataclass(frozen=True)
class Source:
    """Where a statement comes from, as shown to people: the instrument and article, and a link."""

    cite: str
    url: str | None = None


@dataclass(frozen=True)
class Page:
    """One topic screen of one pack, in English (the gettext source language)."""

    id: str
    title: str
    body: str
    sources: tuple[Source, ...]
    last_reviewed: date
    pack: str
    # The text of the button that opens this page; the title when it is short enough.
    label: str
    links: tuple[str, ...] = ()
    # "rights" or "restorative" when the page is a menu entry; None when only linked to.
    menu: str | None = None
    # For a page a pack adds to the rights menu: the topic it comes right after.
    after: str | None = None
    # Named buttons a page offers besides its links, e.g. "help" (find a service).
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pack:
    """The pages for one jurisdiction (or the restorative-justice section)."""

    id: str
    name: str
    falls_back_to: str | None
    last_reviewed: date
    pages: tuple[Page, ...]
    # Only the restorative pack has these: the "Is it right for me?" question pages, in order,
    # and the outcome page for each outcome key.
    reflection_steps: tuple[str, ...] = ()
    reflection_outcomes: tuple[tuple[str, str], ...] = ()

    @property
    def country(self) -> str | None:
        """The ISO 3166-1 code a country pack is for (its id is the code in lower case)."""
        # "eu" is a two-letter id too, but a union of countries, not one of them.
        return self.id.upper() if len(self.id) == 2 and self.id not in SUPRANATIONAL else None

    def get(self, page_id: str) -> Page | None:
        return next((p for p in self.pages if p.id == page_id), None)
