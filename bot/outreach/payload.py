"""The /start parameter of an outreach link: language, country and a starting topic.

A payload looks like `v1-es-DE-2`: a version tag, the language, then optionally the country
and a topic digit.  It is written where anyone may read it (on a card, in a chat, in a browser
history), so it carries only codes — never a word that names what the bot is about.
Telegram allows at most 64 characters of `A-Za-z0-9_-`; anything else, or anything this
version does not know, decodes to None so the bot simply opens its main menu.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

VERSION = "v1"
MAX_LENGTH = 64
CHARSET = re.compile(r"[A-Za-z0-9_-]*")

# The languages the project means to ship.  A link may name any of them before its catalog
# exists: the bot then keeps its own choice of language and still presets the country.
PLANNED_LANGUAGES: tuple[str, ...] = (
    "en", "es", "fr", "pt", "ro", "bg", "ru", "uk", "pl", "sq", "ar", "vi", "zh", "tl", "th",
)  # fmt: skip

# Babel lists some regions that are not countries; Kosovo (XK) stays, people there need help too.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})

_PAYLOAD = re.compile(r"v1-([a-z]{2})(?:-([A-Z]{2}))?(?:-([0-9]))?")


class Topic(StrEnum):
    RIGHTS = "rights"
    RESTORATIVE = "restorative"
    HELP = "help"


# Digits, not words: an onlooker reading the link learns nothing of the subject.
_TOPIC_CODES: dict[Topic, str] = {Topic.RIGHTS: "1", Topic.RESTORATIVE: "2", Topic.HELP: "3"}
_CODE_TOPICS: dict[str, Topic] = {code: topic for topic, code in _TOPIC_CODES.items()}


class PayloadError(ValueError):
    """A link that cannot be made; the message is one sentence for the outreach worker."""


@dataclass(frozen=True)
class DeepLink:
    lang: str
    country: str | None = None  # ISO 3166-1 alpha-2, upper case
    topic: Topic | None = None


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    from babel import Locale

    return frozenset(
        code
        for code in Locale("en").territories
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


def encode(lang: str, country: str | None = None, topic: str | None = None) -> str:
    """The payload for a link; PayloadError names the first value that is not accepted."""
    lang = lang.strip().lower()
    if lang not in PLANNED_LANGUAGES:
        raise PayloadError(f"unknown language {lang!r}; use one of {' '.join(PLANNED_LANGUAGES)}.")
    parts = [VERSION, lang]
    if country:
        code = country.strip().upper()
        if code not in country_codes():
            raise PayloadError(
                f"unknown country {country!r}; use a two-letter ISO 3166-1 code such as DE."
            )
        parts.append(code)
    if topic:
        try:
            parts.append(_TOPIC_CODES[Topic(topic.strip().lower())])
        except ValueError:
            raise PayloadError(
                f"unknown topic {topic!r}; use one of {', '.join(t.value for t in Topic)}."
            ) from None
    return "-".join(parts)


def decode(payload: object) -> DeepLink | None:
    """The link a payload names, or None for anything garbled, foreign or from a newer version."""
    if not isinstance(payload, str) or len(payload) > MAX_LENGTH:
        return None
    match = _PAYLOAD.fullmatch(payload)
    if match is None:
        return None
    lang, country, topic_code = match.groups()
    if lang not in PLANNED_LANGUAGES:
        return None
    if country is not None and country not in country_codes():
        return None
    if topic_code is not None and topic_code not in _CODE_TOPICS:
        return None
    topic = _CODE_TOPICS[topic_code] if topic_code is not None else None
    return DeepLink(lang=lang, country=country, topic=topic)
