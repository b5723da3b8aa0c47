"""The columns of resources.csv and the Service value a row becomes (see DESIGN.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

CATEGORIES: tuple[str, ...] = (
    "emergency",
    "hotline",
    "shelter",
    "legal",
    "medical",
    "counselling",
    "immigration",
    "labour",
    "restorative_justice",
    "general_support",
)
# Categories are stored as a bit mask in the index so a filter is one AND.
CATEGORY_BITS: dict[str, int] = {c: 1 << i for i, c in enumerate(CATEGORIES)}

REQUIRED_COLUMNS: tuple[str, ...] = ("id", "name", "categories", "country", "last_verified")
COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "categories",
    "description",
    "country",
    "region",
    "city",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "national",
    "phone",
    "sms",
    "whatsapp",
    "email",
    "website",
    "hours",
    "languages",
    "eligibility",
    "source_url",
    "last_verified",
)

# Opening hours the bot can say in every language: "24/7", or day spans with times separated by
# ";" ("Mo-Fr 09:00-17:00; Sa 10:00-14:00").  Other text is shown to English readers only.
HOURS_DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
HOURS_SPAN = re.compile(
    r"(?P<first>mo|tu|we|th|fr|sa|su)(?:\s*-\s*(?P<last>mo|tu|we|th|fr|sa|su))?\s+"
    r"(?P<open>\d{1,2}:\d{2})\s*-\s*(?P<close>\d{1,2}:\d{2})",
    re.IGNORECASE,
)


def is_structured_hours(hours: str) -> bool:
    """`24/7` or `Mo-Fr 09:00-17:00; Sa 10:00-14:00`: hours the bot can say in any language."""
    text = hours.strip()
    if text.replace(" ", "").lower() in ("24/7", "24h", "24/7/365"):
        return True
    spans = [part.strip() for part in text.split(";") if part.strip()]
    return bool(spans) and all(HOURS_SPAN.fullmatch(part) for part in spans)



# Who a service is for: `eligibility` holds these groups, separated by "|" ("women|children").
# The bot says them in every language it speaks; any other text is shown to English readers
# only (the validator warns), so no other reader meets an untranslated phrase.
ELIGIBILITY_GROUPS = (
    "women",
    "men",
    "children",
    "migrants",
    "migrant women",
    "migrant workers",
    "domestic workers",
    "migrant domestic workers",
    "employers",
    "families",
)
OPTIONAL_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMNS if c not in REQUIRED_COLUMNS)
TRANSLATION_COLUMN = re.compile(r"(name|description)_([a-z]{2})")
PHONE_COLUMNS: tuple[str, ...] = ("phone", "sms", "whatsapp")


def category_mask(categories: tuple[str, ...]) -> int:
    mask = 0
    for c in categories:
        mask |= CATEGORY_BITS.get(c, 0)
    return mask


@dataclass(frozen=True)
class Service:
    """One row of the directory, as the bot uses it."""

    id: str
    name: str
    categories: tuple[str, ...]
    country: str
    last_verified: date
    description: str = ""
    region: str = ""
    city: str = ""
    address: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    national: bool = False
    phone: str = ""
    sms: str = ""
    whatsapp: str = ""
    email: str = ""
    website: str = ""
    hours: str = ""
    languages: tuple[str, ...] = ()
    eligibility: str = ""
    source_url: str = ""
    names: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)

    def name_in(self, lang: str) -> str:
        return _translated(self.names, lang) or self.name

    def description_in(self, lang: str) -> str:
        return _translated(self.descriptions, lang) or self.description

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def to_json(self) -> str:
        # Positional, in field order: the index holds a million of these, so no key names.
        return json.dumps(
            [
                self.id,
                self.name,
                self.categories,
                self.country,
                self.last_verified.isoformat(),
                self.description,
                self.region,
                self.city,
                self.address,
                self.postcode,
                self.latitude,
                self.longitude,
                self.national,
                self.phone,
                self.sms,
                self.whatsapp,
                self.email,
                self.website,
                self.hours,
                self.languages,
                self.eligibility,
                self.source_url,
                self.names,
                self.descriptions,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
            check_circular=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Service:
        values = json.loads(text)
        values[2] = tuple(values[2])
        values[4] = date.fromisoformat(values[4])
        values[19] = tuple(values[19])
        return cls(*values)

    def __hash__(self) -> int:  # the dict fields make the generated hash fail
        return hash(self.id)


def _translated(table: Mapping[str, str], lang: str) -> str:
    if not lang:
        return ""
    lang = lang.replace("-", "_").lower()
    return table.get(lang) or table.get(lang.split("_", 1)[0]) or ""
