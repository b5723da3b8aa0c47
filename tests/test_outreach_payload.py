import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.outreach.payload import (
    MAX_LENGTH,
    PLANNED_LANGUAGES,
    DeepLink,
    PayloadError,
    Topic,
    country_codes,
    decode,
    encode,
)

TELEGRAM_START = re.compile(r"[A-Za-z0-9_-]{1,64}")
COUNTRIES = (None, "DE", "US", "GB", "RO", "UA", "PH", "TH", "XK")
TOPICS = (None, *(t.value for t in Topic))


@pytest.mark.parametrize("lang", PLANNED_LANGUAGES)
def test_every_planned_language_round_trips_with_countries_and_topics(lang):
    for country in COUNTRIES:
        for topic in TOPICS:
            payload = encode(lang, country, topic)
            assert TELEGRAM_START.fullmatch(payload)
            assert len(payload) <= MAX_LENGTH
            assert decode(payload) == DeepLink(lang, country, Topic(topic) if topic else None)


def test_payload_names_nothing_of_the_subject():
    for topic in Topic:
        payload = encode("es", "DE", topic.value).lower()
        for word in ("right", "traffick", "help", "restor", "rj", "abuse", "victim"):
            assert word not in payload


def test_payload_is_short_and_versioned():
    assert encode("es", "de", "restorative") == "v1-es-DE-2"
    assert encode("uk", None, None) == "v1-uk"


def test_country_list_has_countries_only():
    assert {"DE", "US", "XK"} <= country_codes()
    assert not {"EU", "UN", "ZZ", "QO"} & country_codes()


@pytest.mark.parametrize(
    ("lang", "country", "topic", "names"),
    [
        ("xx", "DE", None, "language"),
        ("de", "DE", None, "language"),  # a real language, but not one the project plans
        ("es", "QQ", None, "country"),
        ("es", "EU", None, "country"),
        ("es", "DE", "escape", "topic"),
    ],
)
def test_encode_refuses_what_the_bot_would_not_understand(lang, country, topic, names):
    with pytest.raises(PayloadError, match=names):
        encode(lang, country, topic)


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "v1",
        "v1-",
        "v2-es-DE-1",
        "v1-xx-DE",
        "v1-es-QQ",
        "v1-es-DE-9",
        "v1-es-de-1",
        "v1-ES-DE",
        "v1-es-DE-1-",
        "v1-es-DE-1-extra",
        "rights",
        "ref_12345",
        "v1-es-DE-1" + "a" * 60,
    ],
)
def test_garbled_or_foreign_payloads_decode_to_none(payload):
    assert decode(payload) is None


def test_non_text_decodes_to_none():
    assert decode(None) is None
    assert decode(b"v1-es") is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_decodes_to_none_or_to_exactly_its_own_link(text):
    link = decode(text)
    assert link is None or encode(link.lang, link.country, link.topic) == text


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"v[0-9]-[a-z]{2}(-[A-Z]{2})?(-[0-9])?", fullmatch=True))
def test_near_miss_payloads_decode_only_when_every_part_is_known(text):
    link = decode(text)
    if link is not None:
        assert text.startswith("v1-")
        assert link.lang in PLANNED_LANGUAGES
        assert link.country is None or link.country in country_codes()
